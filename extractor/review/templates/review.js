"use strict";
document.documentElement.classList.add("js");

/* Corrections: one list for the whole site, kept in this browser (localStorage, else this page only). */
const STORE = "extractor-review-corrections";
let memory = [];
function loadCorrections() {
  try { return JSON.parse(localStorage.getItem(STORE) || "[]"); } catch (e) { return memory; }
}
function saveCorrections(list) {
  memory = list;
  try { localStorage.setItem(STORE, JSON.stringify(list)); } catch (e) { /* this page only */ }
  renderCorrections();
}
function csvCell(text) {
  text = String(text === null || text === undefined ? "" : text);
  return /[",\r\n]|^\s|\s$/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}
function correctionsCsv(list) {
  const lines = ["file,key,value,note"];
  for (const c of list) lines.push([c.file, c.key, c.value, c.note].map(csvCell).join(","));
  return lines.join("\n") + "\n";
}
function renderCorrections() {
  const list = loadCorrections();
  const body = document.querySelector("#fix-list tbody");
  if (body) {
    body.replaceChildren(...list.map((c, index) => {
      const row = document.createElement("tr");
      for (const text of [c.file, c.key, c.value === "" ? "(empty: not stated)" : c.value, c.note]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.appendChild(cell);
      }
      const cell = document.createElement("td");
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "remove";
      remove.addEventListener("click", () => { const l = loadCorrections(); l.splice(index, 1); saveCorrections(l); });
      cell.appendChild(remove);
      row.appendChild(cell);
      return row;
    }));
  }
  const count = document.getElementById("fix-count");
  if (count) count.textContent = String(list.length);
  const link = document.getElementById("fix-download");
  if (link) link.href = "data:text/csv;charset=utf-8," + encodeURIComponent(correctionsCsv(list));
}
document.addEventListener("click", (event) => {
  const fix = event.target.closest("button.fix");
  if (fix) {
    document.getElementById("fix-key").value = fix.dataset.key;
    document.getElementById("fix-value").value = fix.dataset.value;
    document.getElementById("fix-note").value = "";
    document.getElementById("fix-value").focus();
    return;
  }
  const link = event.target.closest('a[href^="#q-"]');
  if (link) highlight(decodeURIComponent(link.getAttribute("href").slice(3)));
});
const form = document.getElementById("fix-form");
if (form) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const key = document.getElementById("fix-key").value;
    if (!key) return;
    const entry = { file: document.body.dataset.file, key: key,
                    value: document.getElementById("fix-value").value.trim(),
                    note: document.getElementById("fix-note").value.trim() };
    const list = loadCorrections().filter((c) => !(c.file === entry.file && c.key === entry.key));
    list.push(entry);
    saveCorrections(list);
  });
}
const clear = document.getElementById("fix-clear");
if (clear) clear.addEventListener("click", () => saveCorrections([]));
renderCorrections();

/* The source text: the quote behind a clicked value stands out. */
function highlight(key) {
  for (const mark of document.querySelectorAll("mark.active")) mark.classList.remove("active");
  for (const mark of document.querySelectorAll("mark[data-keys]")) {
    if (mark.dataset.keys.split(" ").includes(key)) mark.classList.add("active");
  }
}
if (location.hash.startsWith("#q-")) highlight(decodeURIComponent(location.hash.slice(3)));

/* The index: sort by a column, filter by body, year, template, warnings, completeness. */
const reports = document.getElementById("reports");
if (reports) {
  const rows = Array.from(reports.tBodies[0].rows);
  let sorted = { column: -1, down: false };
  for (const button of reports.querySelectorAll("th button")) {
    button.addEventListener("click", () => {
      const column = Number(button.dataset.column);
      sorted = { column: column, down: sorted.column === column ? !sorted.down : false };
      const value = (row) => row.cells[column].dataset.sort ?? row.cells[column].textContent;
      rows.sort((a, b) => {
        const x = value(a), y = value(b);
        const nx = x === "" ? -Infinity : Number(x), ny = y === "" ? -Infinity : Number(y);
        const order = !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y, "zh");
        return sorted.down ? -order : order;
      });
      reports.tBodies[0].append(...rows);
    });
  }
  const field = (id) => document.getElementById(id);
  const apply = () => {
    const body = field("f-body").value.trim(), year = field("f-year").value, template = field("f-template").value;
    const warned = field("f-warnings").checked, incomplete = field("f-incomplete").checked;
    let shown = 0;
    for (const row of rows) {
      const d = row.dataset;
      row.hidden = !((!body || d.body.includes(body)) && (!year || d.year === year)
                     && (!template || d.template === template) && (!warned || Number(d.warnings) > 0)
                     && (!incomplete || d.complete === "false"));
      if (!row.hidden) shown += 1;
    }
    field("shown").textContent = String(shown);
  };
  for (const id of ["f-body", "f-year", "f-template", "f-warnings", "f-incomplete"]) {
    field(id).addEventListener("input", apply);
    field(id).addEventListener("change", apply);
  }
  apply();
}
