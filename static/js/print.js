// A statement's Print button: the browser's own print dialog, with the print
// stylesheet (statement.css). No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
