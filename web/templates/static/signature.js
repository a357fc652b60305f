// kitloan's signature pad and upload check for the signed agreement form. Without
// JavaScript the pad stays hidden and the form takes a scan or photo instead.
(function () {
  "use strict";

  // The pad: draw with a finger, a stylus or the mouse (pointer events); the drawing goes
  // in the hidden field as a PNG data URL when the pen lifts, and Clear empties both.
  document.querySelectorAll("[data-signature-pad]").forEach(function (pad) {
    var canvas = pad.querySelector("canvas");
    var field = pad.querySelector("[data-field]");
    var status = pad.querySelector("[data-status]");
    var clear = pad.querySelector("[data-clear]");
    var ctx = canvas.getContext && canvas.getContext("2d");
    if (!ctx || !window.PointerEvent) { return; } // no pad: the upload still works
    pad.hidden = false;

    var drawing = false, drawn = false, last = null;

    // Size the drawing to the canvas as first shown, sharp on high-density screens. It
    // keeps that size: if the page is later resized the drawing is scaled with the canvas
    // rather than lost, and point() maps the pointer through the canvas's current size.
    // The server takes a drawing of at most data-max-pixels: on a denser screen, or one
    // zoomed in, it is drawn at the sharpest ratio within that.
    var ratio = window.devicePixelRatio || 1;
    var shown = canvas.getBoundingClientRect();
    var most = parseInt(pad.getAttribute("data-max-pixels"), 10);
    if (most > 0 && shown.width * shown.height * ratio * ratio > most) {
      ratio = Math.sqrt(most / (shown.width * shown.height));
    }
    canvas.width = Math.max(1, Math.floor(shown.width * ratio));
    canvas.height = Math.max(1, Math.floor(shown.height * ratio));
    ctx.lineWidth = 2.5 * ratio;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#0b0c0c";
    ctx.fillStyle = "#0b0c0c";
    field.value = "";

    function point(e) {
      var rect = canvas.getBoundingClientRect();
      return {
        x: (e.clientX - rect.left) * canvas.width / rect.width,
        y: (e.clientY - rect.top) * canvas.height / rect.height
      };
    }

    function save() {
      field.value = drawn ? canvas.toDataURL("image/png") : "";
      status.textContent = drawn ? "Signed. Clear it to sign again." : "Not signed yet.";
    }

    canvas.addEventListener("pointerdown", function (e) {
      if (e.button !== undefined && e.button > 0) { return; }
      e.preventDefault();
      canvas.setPointerCapture(e.pointerId);
      drawing = true;
      last = point(e);
      ctx.beginPath();
      ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fill();
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) { return; }
      e.preventDefault();
      var p = point(e);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      last = p;
      drawn = true;
    });
    ["pointerup", "pointercancel"].forEach(function (type) {
      canvas.addEventListener(type, function () {
        if (!drawing) { return; }
        drawing = false;
        drawn = true;
        save();
      });
    });
    clear.addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
      save();
    });
  });

  // Say at once when a chosen file is too large, rather than after sending it.
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    var message = document.getElementById(input.id + "-size");
    function tooLarge() {
      return input.files && input.files[0] && input.files[0].size > max;
    }
    input.addEventListener("change", function () {
      if (tooLarge()) {
        // As the server says it: in bytes when the file and the limit round to the same
        // megabytes, so that the file never reads as the size it must not pass.
        var size = input.files[0].size;
        var mb = function (n) { return (n / 1048576).toFixed(1) + " MB"; };
        var bytes = function (n) { return n.toLocaleString("en-GB") + " bytes"; };
        var close = mb(size) === mb(max);
        message.textContent = "Error: the file is " + (close ? bytes(size) : mb(size)) + "; it must be " + mb(max) +
          (close ? " (" + bytes(max) + ")" : "") + " or smaller. Scan it again at a lower resolution, or take a photo.";
        message.hidden = false;
      } else {
        message.hidden = true;
      }
    });
    if (input.form) {
      input.form.addEventListener("submit", function (e) {
        if (tooLarge()) { e.preventDefault(); message.hidden = false; input.focus(); }
      });
    }
  });
})();
