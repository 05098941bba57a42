// People pickers (bcp_portal.core.forms.PeoplePicker): filter the boxes as you type, count
// the ticked ones. Without this script the boxes still work; they are just not filtered.
(function () {
  "use strict";
  function setUp(picker) {
    var filter = picker.querySelector(".people-picker-filter");
    var options = picker.querySelectorAll(".people-picker-option");
    var count = picker.querySelector("[data-chosen-count]");
    var none = picker.querySelector("[data-no-match]");
    function recount() {
      count.textContent = picker.querySelectorAll("input[type=checkbox]:checked").length;
    }
    function apply() {
      var words = filter.value.toLowerCase().trim().split(/\s+/).filter(Boolean);
      var shown = 0;
      options.forEach(function (option) {
        var name = option.getAttribute("data-name") || "";
        var box = option.querySelector("input");
        var match = box.checked || words.every(function (w) { return name.indexOf(w) !== -1; });
        option.hidden = !match;
        if (match) { shown += 1; }
      });
      if (none) { none.hidden = shown !== 0 || options.length === 0; }
    }
    filter.addEventListener("input", apply);
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // filtering, not submitting
    });
    picker.addEventListener("change", recount);
  }
  function init(root) {
    root.querySelectorAll("[data-people-picker]:not([data-ready])").forEach(function (picker) {
      picker.setAttribute("data-ready", "1");
      setUp(picker);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
