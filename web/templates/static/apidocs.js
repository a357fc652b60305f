// Draws the API reference on /api/docs with the vendored Swagger UI (static/swagger-ui/),
// from the contract at the address in the page's data-url. It is a file rather than an
// inline script so that the page keeps the strict Content-Security-Policy. "Try it out"
// sends only reads: the API's writes belong in the pages or a client of the service's own.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: root.getAttribute("data-url"),
    domNode: root,
    deepLinking: true,
    showExtensions: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    supportedSubmitMethods: ["get"],
    validatorUrl: null
  });
})();
