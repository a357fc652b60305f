// kitloan's little JavaScript: progressive enhancements only; every page works without it.
(function () {
  "use strict";
  // Put the keyboard on the error summary so screen reader and keyboard users hear it first.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  // Buttons that need a second thought carry data-confirm.
  document.addEventListener("submit", function (e) {
    var b = e.submitter;
    var msg = (b && b.getAttribute("data-confirm")) || e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  });
  // A select that filters a list submits its form when changed, when asked to.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
})();
