/* A recovery step's "Minutes" follow its start and end times as they are typed: when both
   are given and the minutes are blank (or still the value computed here), the minutes become
   the whole minutes between them, as the report page and PDF count them. Works for rows
   added in the page too (the listener is on the document). The server fills blank minutes
   the same way, so a browser without scripts gets the same result. */
(function () {
  "use strict";

  function field(row, suffix) {
    return row.querySelector("input[name$='-" + suffix + "']");
  }

  function minutesBetween(start, end) {
    if (!start || !end) return null;
    const from = new Date(start);
    const to = new Date(end);
    if (isNaN(from.getTime()) || isNaN(to.getTime()) || to < from) return null;
    return Math.floor((to.getTime() - from.getTime()) / 60000);
  }

  function update(row) {
    const start = field(row, "started_at");
    const end = field(row, "ended_at");
    const minutes = field(row, "duration_minutes");
    if (!start || !end || !minutes) return;
    const value = minutesBetween(start.value, end.value);
    const untouched = minutes.value === "" || minutes.value === minutes.dataset.computed;
    if (!untouched) return;
    if (value === null) {
      // Times cleared or not yet valid: take back only what was filled in here.
      if (minutes.dataset.computed !== undefined && minutes.value === minutes.dataset.computed) {
        minutes.value = "";
      }
      delete minutes.dataset.computed;
      return;
    }
    minutes.value = String(value);
    minutes.dataset.computed = String(value);
  }

  function onTimeChange(event) {
    const name = event.target.name || "";
    if (!/-(started_at|ended_at)$/.test(name)) return;
    const row = event.target.closest("[data-formset-row]");
    if (row) update(row);
  }
  document.addEventListener("input", onTimeChange);
  document.addEventListener("change", onTimeChange);

  document.addEventListener("DOMContentLoaded", function () {
    // Minutes that already equal the times (filled by the server) keep following them.
    document.querySelectorAll("[data-formset-row]").forEach(function (row) {
      const start = field(row, "started_at");
      const end = field(row, "ended_at");
      const minutes = field(row, "duration_minutes");
      if (!start || !end || !minutes) return;
      const value = minutesBetween(start.value, end.value);
      if (value !== null && minutes.value === String(value)) minutes.dataset.computed = minutes.value;
    });
  });
})();
