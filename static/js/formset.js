/* Add, remove and reorder formset rows in the page, without a round trip, so nothing typed
   is lost. A removed row is hidden and its DELETE input set (it can be restored); moving a
   row renumbers the ORDER inputs of its section. */
(function () {
  "use strict";

  function rows(section) {
    return Array.from(section.querySelectorAll("[data-formset-row]"));
  }

  function renumber(section) {
    let position = 0;
    rows(section).forEach(function (row) {
      const order = row.querySelector("input[data-order]");
      const deleted = row.querySelector("input[data-delete]");
      const removed = deleted && deleted.value === "on";
      if (!removed) position += 1;
      if (order) order.value = removed ? "" : position;
      const label = row.querySelector("[data-row-number]");
      if (label) label.textContent = removed ? "removed" : position;
    });
  }

  function addRow(section) {
    const prefix = section.dataset.prefix;
    const total = section.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    const template = section.querySelector("template[data-empty-row]");
    const index = parseInt(total.value, 10);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    const holder = document.createElement("template");
    holder.innerHTML = html.trim();
    const row = holder.content.firstElementChild;
    section.querySelector("[data-formset-body]").appendChild(row);
    total.value = index + 1;
    renumber(section);
    const first = row.querySelector("textarea, input:not([type=hidden]), select");
    if (first) first.focus();
  }

  function toggleRemove(section, row, button) {
    const deleted = row.querySelector("input[data-delete]");
    const removing = deleted.value !== "on";
    deleted.value = removing ? "on" : "";
    row.classList.toggle("table-secondary", removing);
    row.querySelectorAll("textarea, input:not([type=hidden]), select").forEach(function (el) {
      el.disabled = removing;
    });
    button.textContent = removing ? "Restore" : "Remove";
    button.setAttribute("aria-pressed", removing ? "true" : "false");
    renumber(section);
  }

  function move(section, row, direction) {
    const sibling = direction < 0 ? row.previousElementSibling : row.nextElementSibling;
    if (!sibling) return;
    if (direction < 0) sibling.before(row); else sibling.after(row);
    renumber(section);
    const again = row.querySelector("[data-formset-action=" + (direction < 0 ? "up" : "down") + "]");
    if (again) again.focus();
    const status = section.querySelector("[data-formset-status]");
    const number = row.querySelector("[data-row-number]");
    if (status && number) status.textContent = "Moved to position " + number.textContent + ".";
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-formset-action]");
    if (!button) return;
    const section = button.closest("[data-formset]");
    const row = button.closest("[data-formset-row]");
    event.preventDefault();
    switch (button.dataset.formsetAction) {
      case "add": addRow(section); break;
      case "remove": toggleRemove(section, row, button); break;
      case "up": move(section, row, -1); break;
      case "down": move(section, row, 1); break;
    }
  });

  // Disabled inputs are not posted; re-enable before sending so DELETE rows keep their id.
  document.addEventListener("submit", function (event) {
    event.target.querySelectorAll("[data-formset-row] :disabled").forEach(function (el) {
      el.disabled = false;
    });
  });

  // Minutes as people say them, as the server's humanize_minutes does: "1 h 30 min", "7 d".
  function humanizeMinutes(total) {
    if (total === 0) return "0 min";
    const days = Math.floor(total / 1440), hours = Math.floor((total % 1440) / 60);
    const mins = total % 60;
    return [[days, "d"], [hours, "h"], [mins, "min"]]
      .filter(function (p) { return p[0]; })
      .map(function (p) { return p[0] + " " + p[1]; })
      .join(" ");
  }

  // The RTO/RPO targets follow the services ticked: the strictest target of them.
  function updateTargets() {
    const ticked = Array.from(document.querySelectorAll("input[name=services]:checked"));
    const target = function (attr) {
      const values = ticked.map(function (el) { return parseInt(el.dataset[attr], 10); })
        .filter(function (v) { return !isNaN(v); });
      return values.length ? Math.min.apply(null, values) : null;
    };
    [["rto", "rtoActual"], ["rpo", "rpoActual"]].forEach(function (pair) {
      const out = document.querySelector("[data-target=" + pair[0] + "]");
      if (!out) return;
      const t = target(pair[0]);
      const actualInput = document.getElementById("id_" + pair[0] + "_actual_minutes");
      const actual = actualInput && actualInput.value !== "" ? parseInt(actualInput.value, 10) : null;
      let text = t === null ? "no service chosen" : humanizeMinutes(t);
      if (t !== null && actual !== null) text += actual <= t ? " — met" : " — missed";
      out.textContent = text;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "services" || /_actual_minutes$/.test(event.target.name || "")) {
      updateTargets();
    }
  });
  document.addEventListener("input", function (event) {
    if (/_actual_minutes$/.test(event.target.name || "")) updateTargets();
  });
  document.addEventListener("DOMContentLoaded", function () {
    // A page sent back with errors keeps rows the user had removed: show them as removed.
    document.querySelectorAll("[data-formset-row] input[data-delete]").forEach(function (input) {
      if (input.value === "on" || input.value === "True") {
        input.value = "";
        const row = input.closest("[data-formset-row]");
        const button = row.querySelector("[data-formset-action=remove]");
        toggleRemove(row.closest("[data-formset]"), row, button);
      }
    });
    // A page sent back with errors lists rows in the order they were posted; put them back
    // in the order the person had arranged (their ORDER values) before renumbering.
    document.querySelectorAll("[data-formset]").forEach(function (section) {
      const body = section.querySelector("[data-formset-body]");
      const keyed = rows(section).map(function (row, index) {
        const order = row.querySelector("input[data-order]");
        const value = order && order.value !== "" ? parseInt(order.value, 10) : NaN;
        return { row: row, key: isNaN(value) ? 100000 + index : value };
      });
      keyed.sort(function (a, b) { return a.key - b.key; });
      keyed.forEach(function (item) { body.appendChild(item.row); });
      renumber(section);
    });
    updateTargets();
  });
})();
