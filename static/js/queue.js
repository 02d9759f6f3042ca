// The queue's small behaviours. No inline scripts anywhere: the CSP forbids them.
(function () {
  "use strict";

  // A refused action answers 400/403/409 with the message for its form: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 403 || status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Filters left empty stay out of the address, so it reads and shares well. The
  // search box always goes along: it tells the server that these are the person's
  // own filters rather than a saved view's.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("form.filters") || !event.detail.formData) return;
    var data = event.detail.formData, empty = [];
    data.forEach(function (value, key) { if (value === "" && key !== "q") empty.push(key); });
    empty.forEach(function (key) { data.delete(key); });
  });

  // A canned reply goes into the reply box at the cursor, without a reload.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-canned-for]")) return;
    var box = document.getElementById(form.getAttribute("data-canned-for"));
    var option = form.querySelector("select option:checked");
    if (!box || !option) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var text = option.getAttribute("data-body") || "";
    var start = box.selectionStart || 0, end = box.selectionEnd || 0;
    box.value = box.value.slice(0, start) + text + box.value.slice(end);
    box.focus();
    box.selectionStart = box.selectionEnd = start + text.length;
  }, true);

  // Ctrl+Enter (Cmd+Enter on a Mac) sends the reply or note being written.
  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && box.matches("[data-submit-on-ctrl-enter]")) {
      event.preventDefault();
      box.form.requestSubmit();
    }
  });

  // Bulk selection: "select all" and a count of what is selected.
  function updateSelection(form) {
    var boxes = form.querySelectorAll("input[name=tickets]");
    var chosen = form.querySelectorAll("input[name=tickets]:checked").length;
    var all = form.querySelector("[data-select-all]");
    if (all) {
      all.checked = chosen > 0 && chosen === boxes.length;
      all.indeterminate = chosen > 0 && chosen < boxes.length;
    }
    var label = form.querySelector("[data-selected-count]");
    if (label) label.textContent = chosen ? chosen + " / " + boxes.length : "";
    var button = form.querySelector(".bulk-bar button[type=submit]");
    if (button) button.disabled = chosen === 0;
  }
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (!form || form.id !== "bulk-form") return;
    if (event.target.matches("[data-select-all]")) {
      form.querySelectorAll("input[name=tickets]").forEach(function (box) { box.checked = event.target.checked; });
    }
    updateSelection(form);
  });
  function init() {
    var form = document.getElementById("bulk-form");
    if (form) updateSelection(form);
  }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", init);

  // After an htmx action, a new reply or note box is empty: put the cursor back.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.elt;
    if (target && (target.id === "reply" || target.id === "note")) {
      var box = target.querySelector("textarea");
      if (box) box.focus();
    }
  });
})();
