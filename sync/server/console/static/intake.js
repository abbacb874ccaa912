// The intake page: ask the centre for the triage suggestion and the customer's history
// while the agent types (debounced), and show them beside the form.
"use strict";
(function () {
  const form = document.getElementById("intake-form");
  if (!form) { return; }
  const box = document.getElementById("intake-suggestion");
  const history = document.getElementById("intake-history");
  const dups = document.getElementById("intake-duplicates");
  let timer = null;
  let asked = 0;
  function item(row) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = "/console/tickets/" + encodeURIComponent(row.ticket_id);
    a.textContent = row.number;
    li.appendChild(a);
    li.appendChild(document.createTextNode(" · " + row.store_name + " · " + row.level + " · " +
      row.problem + " · " + row.status + " · " + row.text));
    return li;
  }
  function duplicate(row) {
    const li = document.createElement("li");
    li.dataset.reason = row.reason;
    const reason = document.createElement("strong");
    reason.textContent = row.reason_label + " ";
    li.appendChild(reason);
    const a = document.createElement("a");
    a.href = row.url;
    a.textContent = row.number;
    li.appendChild(a);
    li.appendChild(document.createTextNode(" · " + row.store_name + " · " + row.channel + " · " +
      row.problem + " · " + row.status + " · " + row.text));
    return li;
  }
  function show(answer) {
    box.textContent = "";
    const t = answer.triage;
    if (t) {
      const p = document.createElement("p");
      p.className = "level-" + t.level;
      p.dataset.level = String(t.level);
      p.textContent = t.level_label + " · " + t.problem + " · " +
        box.dataset.within.replace("{minutes}", String(t.respond_within_minutes));
      box.appendChild(p);
      const ul = document.createElement("ul");
      t.reasons.forEach((r) => { const li = document.createElement("li"); li.textContent = r; ul.appendChild(li); });
      box.appendChild(ul);
    } else {
      const p = document.createElement("p"); p.className = "muted"; p.textContent = box.dataset.empty; box.appendChild(p);
    }
    history.textContent = "";
    if (answer.history.length === 0) {
      const li = document.createElement("li"); li.className = "muted"; li.textContent = history.dataset.empty; history.appendChild(li);
    }
    answer.history.forEach((row) => history.appendChild(item(row)));
    dups.textContent = "";
    answer.duplicates.forEach((row) => dups.appendChild(duplicate(row)));
  }
  function ask() {
    const n = ++asked;
    const body = {
      store: form.store.value.trim().toUpperCase(), channel: form.channel.value,
      text: form.text.value, phone: form.phone.value,
    };
    if (!body.store) { return; }
    window.kesuFetch("/console/api/intake/triage", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    }).then((r) => (r.ok ? r.json() : null)).then((answer) => {
      if (answer && n === asked) { show(answer); }
    }).catch(() => {});
  }
  function later() { clearTimeout(timer); timer = setTimeout(ask, 300); }
  ["input", "change"].forEach((name) => form.addEventListener(name, later));
})();
