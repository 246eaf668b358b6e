// The suite's API page: the union of every service's operations first, then each service's own
// document. Nothing is fetched from elsewhere (no validator badge).
window.onload = function () {
  window.ui = SwaggerUIBundle({
    urls: [
      { url: "/openapi.json", name: "Sciport (every service)" },
      { url: "/docs/openapi/gateway.json", name: "gateway" },
      { url: "/docs/openapi/auth-service.json", name: "auth-service" },
      { url: "/docs/openapi/upload-service.json", name: "upload-service" },
      { url: "/docs/openapi/dataset-service.json", name: "dataset-service" },
      { url: "/docs/openapi/harvest-service.json", name: "harvest-service" },
      { url: "/docs/openapi/workflow-service.json", name: "workflow-service" }
    ],
    "urls.primaryName": "Sciport (every service)",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout"
  });
};
