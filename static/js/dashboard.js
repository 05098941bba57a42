// The dashboard's boxes load their panels with htmx (templates/dashboard.html). A panel
// that has nothing for this person answers 404: its box leaves the page. Any other failure
// says so in the box, which keeps its link to the panel's own page.
(function () {
  "use strict";
  function failed(event) {
    var box = event.detail.elt.closest("[data-panel-box]");
    if (!box) {
      return;
    }
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 404) {
      box.remove();
      return;
    }
    var body = box.querySelector("[aria-busy]");
    if (body) {
      body.setAttribute("aria-busy", "false");
    }
    var spinner = box.querySelector(".spinner-border");
    if (spinner) {
      spinner.remove();
    }
    var status = box.querySelector("[data-panel-status]");
    if (status) {
      status.textContent = "This panel could not be loaded.";
    }
  }
  document.body.addEventListener("htmx:responseError", failed);
  document.body.addEventListener("htmx:sendError", failed);
})();
