// Small behaviours for every page. No inline scripts anywhere: the CSP forbids them.
(function () {
  "use strict";

  // A language picked from the menu applies at once.
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-submit-on-change]")) event.target.form.requestSubmit();
  });

  // Every form that takes a moment shows that it is working and cannot be sent twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) return; // htmx shows its own
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
      button.setAttribute("aria-busy", "true");
      button.classList.add("is-busy");
      // Disable after the submit has been collected, so the button's name/value is sent.
      setTimeout(function () { button.disabled = true; }, 0);
    });
  });

  // Ask before a destructive or binding action: <button data-confirm="...">.
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) event.preventDefault();
  });
})();
