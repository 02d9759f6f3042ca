// The customer portal's small behaviours. No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  // The service picker: show what the contract says about the chosen service
  // before anything is sent. Without JavaScript each option still carries its label.
  function showCoverage(select) {
    var details = document.getElementById("service-details");
    if (!details) return;
    details.querySelectorAll("[data-service]").forEach(function (detail) {
      detail.hidden = detail.getAttribute("data-service") !== select.value;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("select[name=service]")) showCoverage(event.target);
  });

  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector("select[name=service]");
    if (select) showCoverage(select);
  });
})();
