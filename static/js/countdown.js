// Live countdowns of the notification clocks (the compliance desk, an incident's
// notifications page, the dashboard's clock panels). Each element carrying `data-due` (an
// ISO 8601 instant with its offset) shows the time left, or how long it is overdue, in the
// words the server wrote first (compliance.desk_selectors.countdown_text), so the page
// reads the same without script. Under an hour it counts seconds; it ticks every second
// and after htmx swaps a panel in. No inline script: the Content-Security-Policy refuses it.
(function () {
  "use strict";

  function words(seconds) {
    var left = Math.abs(seconds);
    var days = Math.floor(left / 86400);
    var hours = Math.floor((left % 86400) / 3600);
    var minutes = Math.floor((left % 3600) / 60);
    var parts = [];
    if (days) {
      parts.push(days + " d");
    }
    if (days || hours) {
      parts.push(hours + " h");
    }
    parts.push(minutes + " min");
    if (!days && !hours) {
      parts.push((left % 60) + " s");
    }
    var text = parts.join(" ");
    return seconds >= 0 ? text + " left" : "overdue by " + text;
  }

  function tick() {
    var now = Date.now();
    var clocks = document.querySelectorAll("[data-due]");
    for (var i = 0; i < clocks.length; i++) {
      var clock = clocks[i];
      var due = Date.parse(clock.getAttribute("data-due"));
      if (isNaN(due)) {
        continue;
      }
      var seconds = Math.floor((due - now) / 1000);
      var text = words(seconds);
      if (clock.textContent !== text) {
        clock.textContent = text;
      }
      clock.classList.toggle("countdown-overdue", seconds < 0);
    }
  }

  tick();
  window.setInterval(tick, 1000);
  document.body.addEventListener("htmx:afterSwap", tick);
})();
