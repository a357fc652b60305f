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

// Uploads that may be large (imports) show their progress: the file's upload as a bar,
// then a note while the server checks every row. Without JavaScript the form posts as usual.
(function () {
  "use strict";
  document.querySelectorAll("form[data-progress]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.XMLHttpRequest || !window.FormData) { return; }
      e.preventDefault();
      var status = document.createElement("div");
      status.className = "upload-progress";
      status.setAttribute("role", "status");
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      var text = document.createElement("p");
      text.textContent = "Sending the file…";
      status.appendChild(text);
      status.appendChild(bar);
      form.appendChild(status);
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      var xhr = new XMLHttpRequest();
      // getAttribute: a field named "action" hides the form's own action property.
      xhr.open("POST", form.getAttribute("action"));
      xhr.upload.addEventListener("progress", function (p) {
        if (p.lengthComputable) {
          bar.value = Math.round(100 * p.loaded / p.total);
          text.textContent = "Sending the file: " + bar.value + "%";
        }
      });
      xhr.upload.addEventListener("load", function () {
        bar.removeAttribute("value");
        text.textContent = "Checking every row. A large file can take a minute…";
      });
      xhr.addEventListener("load", function () {
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener("error", function () {
        text.textContent = "The file could not be sent. Check the connection and try again.";
        form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
      });
      xhr.send(new FormData(form, e.submitter));
    });
  });
})();
