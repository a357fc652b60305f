// The phone scan page: where the browser has BarcodeDetector, read QR codes from the camera
// and open the item; everywhere else the page's fallback (camera app or typed tag) stays.
(function () {
  "use strict";
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
    document.getElementById("scanner").hidden = false;
    video.srcObject = stream;
    video.play();
    var tick = function () {
      detector.detect(video).then(function (codes) {
        if (codes.length > 0) {
          var text = codes[0].rawValue;
          status.textContent = "Found " + text;
          stream.getTracks().forEach(function (t) { t.stop(); });
          window.location.href = "/scan?tag=" + encodeURIComponent(text);
          return;
        }
        window.requestAnimationFrame(tick);
      }).catch(function () { window.requestAnimationFrame(tick); });
    };
    tick();
  }).catch(function () {
    status.textContent = "The camera could not be opened. Use the camera app or type the tag.";
  });
})();
