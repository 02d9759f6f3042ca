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
    form.querySelectorAll(".bulk-bar button[type=submit]").forEach(function (button) {
      button.disabled = chosen === 0;
    });
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

  // --- the list's rows: inline changes keep the person's place -------------------

  // A row swapped after an inline change comes back unselected and unfocused:
  // give it back what it had.
  var keep = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var row = event.detail.target;
    if (!row || !row.matches || !row.matches("tr[data-ticket]")) return;
    var box = row.querySelector("input[name=tickets]");
    var active = document.activeElement;
    keep = {
      id: row.id,
      checked: !!(box && box.checked),
      current: row.classList.contains("current"),
      field: active && row.contains(active) ? active.getAttribute("data-field") : null
    };
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!keep) return;
    var row = document.getElementById(keep.id);
    if (row) {
      var box = row.querySelector("input[name=tickets]");
      if (box) box.checked = keep.checked;
      if (keep.current) row.classList.add("current");
      if (keep.field) {
        var select = row.querySelector("[data-field=" + keep.field + "]");
        if (select) select.focus();
      }
      var form = document.getElementById("bulk-form");
      if (form) updateSelection(form);
    }
    keep = null;
  });

  // Closing many tickets at once asks first.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-bulk-close]");
    if (button && !window.confirm(button.getAttribute("data-confirm") || button.textContent + "?")) {
      event.preventDefault();
    }
  });

  // The filters change the address in place (htmx pushes it): a view is saved
  // with the address as it stands now, not as the page was first drawn.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form.save-view")) return;
    var query = form.querySelector("input[name=query]");
    if (query) query.value = window.location.search.replace(/^\?/, "");
  });

  // --- new tickets ------------------------------------------------------------

  // The banner's "show" reloads the list as it is (its address keeps the tab,
  // filters and page); the person chooses when, so nothing moves under them.
  document.addEventListener("click", function (event) {
    if (event.target.matches && event.target.matches("[data-show-new]")) {
      event.preventDefault();
      window.location.reload();
    }
  });

  // --- keyboard ---------------------------------------------------------------

  function typing(target) {
    if (!target || !target.closest) return false;
    return !!target.closest("input, textarea, select, [contenteditable=''], [contenteditable=true]");
  }
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll(".queue-table tbody tr[data-ticket]"));
  }
  function currentRow() {
    return document.querySelector(".queue-table tbody tr.current");
  }
  function moveTo(row) {
    rows().forEach(function (r) { r.classList.remove("current"); r.removeAttribute("aria-current"); });
    if (!row) return;
    row.classList.add("current");
    row.setAttribute("aria-current", "true");
    var link = row.querySelector(".subject a");
    if (link) link.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }
  function move(step) {
    var all = rows();
    if (!all.length) return;
    var index = all.indexOf(currentRow());
    var next = index < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + step));
    moveTo(all[next]);
  }
  // j/k from a link the mouse or Tab reached start from that link's row.
  document.addEventListener("focusin", function (event) {
    var row = event.target.closest && event.target.closest(".queue-table tbody tr[data-ticket]");
    if (row && !row.classList.contains("current")) {
      rows().forEach(function (r) { r.classList.remove("current"); r.removeAttribute("aria-current"); });
      row.classList.add("current");
      row.setAttribute("aria-current", "true");
    }
  });
  function choose(select, value) {
    if (!select || !select.querySelector("option[value='" + value + "']")) return false;
    if (select.value === value) return true;
    select.value = value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }
  function toggleHelp() {
    var help = document.getElementById("shortcuts-help");
    if (!help) return;
    if (help.open) help.close(); else help.showModal();
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-show-keys]")) {
      event.preventDefault();
      toggleHelp();
    }
  });

  // On the list the keys act on the current row; on a ticket page, on that ticket.
  var onList = {
    j: function () { move(1); },
    k: function () { move(-1); },
    o: function (row) { if (row) window.location.href = row.getAttribute("data-url"); },
    Enter: function (row) { if (row) window.location.href = row.getAttribute("data-url"); },
    s: function (row) {
      var box = row && row.querySelector("input[name=tickets]");
      if (box) { box.checked = !box.checked; box.dispatchEvent(new Event("change", { bubbles: true })); }
    },
    a: function (row) {
      var table = document.querySelector(".queue-table");
      if (row && table) choose(row.querySelector("[data-field=assignee]"), table.getAttribute("data-me"));
    },
    r: function (row) { if (row) window.location.href = row.getAttribute("data-url") + "#reply"; },
    n: function (row) { if (row) window.location.href = row.getAttribute("data-url") + "#note"; },
    e: function (row) { if (row) choose(row.querySelector("[data-field=status]"), "resolved"); }
  };
  onList.x = onList.e;
  function submitForm(form) { if (form) form.requestSubmit(); }
  function focusBox(id) {
    var box = document.querySelector("#" + id + " textarea");
    if (box) { box.focus(); box.scrollIntoView({ block: "center" }); }
  }
  var onTicket = {
    a: function () { submitForm(document.querySelector("#summary form.quick")); },
    r: function () { focusBox("reply"); },
    n: function () { focusBox("note"); },
    e: function () {
      var select = document.getElementById("summary-status");
      if (select && select.querySelector("option[value=resolved]")) {
        select.value = "resolved";
        submitForm(select.form);
      }
    }
  };
  onTicket.x = onTicket.e;

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (event.key === "Escape" && typing(event.target)) { event.target.blur(); return; }
    if (typing(event.target)) return;
    var help = document.getElementById("shortcuts-help");
    if (event.key === "?") { event.preventDefault(); toggleHelp(); return; }
    if (help && help.open) return;
    if (event.key === "/") {
      var search = document.getElementById("filter-q");
      if (search) {
        event.preventDefault();
        var details = search.closest("details");
        if (details) details.open = true;
        search.focus();
        search.select();
      }
      return;
    }
    var list = document.querySelector(".queue-table");
    var actions = list ? onList : document.querySelector(".ticket-page") ? onTicket : null;
    var act = actions && actions[event.key];
    if (!act) return;
    // Enter on a focused link or button does what it always does.
    if (event.key === "Enter" && event.target.closest && event.target.closest("a, button")) return;
    event.preventDefault();
    act(list ? currentRow() : null);
  });

  // Arriving from the list with r or n: the box is ready to type in.
  document.addEventListener("DOMContentLoaded", function () {
    if (!document.querySelector(".ticket-page")) return;
    if (window.location.hash === "#reply") focusBox("reply");
    if (window.location.hash === "#note") focusBox("note");
  });
})();
