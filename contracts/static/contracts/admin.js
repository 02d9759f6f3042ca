// The contract editor's small helpers. Every page works without them.
(function () {
    "use strict";

    // Try box: the free e-mail field only when "someone else" sends, and the
    // decision shown in place instead of reloading the page.
    function initTryBox(box) {
        var form = box.querySelector("#try-form");
        if (!form) {
            return;
        }
        var sender = form.elements.sender;
        var otherRow = form.querySelector(".field-other_email");
        function toggleOther() {
            if (sender && otherRow) {
                otherRow.style.display = sender.value === "*" ? "" : "none";
            }
        }
        toggleOther();
        if (sender) {
            sender.addEventListener("change", toggleOther);
        }
        form.addEventListener("submit", function (event) {
            if (!window.fetch || !window.DOMParser) {
                return;
            }
            event.preventDefault();
            var button = form.querySelector("[type=submit]");
            button.disabled = true;
            fetch(window.location.href, {
                method: "POST",
                body: new FormData(form),
                credentials: "same-origin"
            })
                .then(function (response) {
                    if (!response.ok) {
                        throw new Error(response.status);
                    }
                    return response.text();
                })
                .then(function (html) {
                    var page = new DOMParser().parseFromString(html, "text/html");
                    var fresh = page.getElementById("try-box");
                    if (!fresh) {
                        throw new Error("no try box in the answer");
                    }
                    box.replaceWith(fresh);
                    initTryBox(fresh);
                    var result = fresh.querySelector("#try-result");
                    if (result) {
                        result.scrollIntoView({behavior: "smooth", block: "nearest"});
                    }
                })
                .catch(function () {
                    form.submit();
                });
        });
    }

    // Reply wording: open the default wording of the verdict being edited.
    function initDefaultWordings() {
        var verdict = document.getElementById("id_verdict");
        var wordings = document.querySelectorAll(".default-wordings details");
        if (!verdict || !wordings.length) {
            return;
        }
        function show() {
            wordings.forEach(function (details) {
                details.open = details.dataset.verdict === verdict.value;
            });
        }
        verdict.addEventListener("change", show);
        if (verdict.value) {
            show();
        }
    }

    document.addEventListener("DOMContentLoaded", function () {
        var box = document.getElementById("try-box");
        if (box) {
            initTryBox(box);
        }
        initDefaultWordings();
    });
})();
