/* The API's documentation page (/api/v1/docs): Swagger UI, served from /static, started here
 * because the pages' Content-Security-Policy allows no inline script. */
(function () {
  "use strict";
  window.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("swagger-ui");
    window.SwaggerUIBundle({
      url: root.dataset.openapi,
      domNode: root,
      deepLinking: true,
      validatorUrl: null,
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout"
    });
  });
})();
