// The console's page: plain DOM and SVG over the JSON API of server.ts (see docs/console.md).
const $ = (sel) => document.querySelector(sel);
const SVG = "http://www.w3.org/2000/svg";
const OUTCOMES = ["succeeded", "retried", "caught", "failed", "running", "not-reached"];
const view = { selected: undefined, graph: undefined, detail: undefined, events: [], state: undefined, listKey: "" };

// The token comes once in the URL's fragment (`#token=…`, never sent to any server), is kept in this tab's
// sessionStorage (per origin, so per port: two consoles never share it; no cookie) and goes in a header on every call.
const TOKEN_KEY = "tunelake-console-token";
function readToken() {
  const given = /^#token=([\w-]+)$/.exec(location.hash)?.[1];
  if (given) {
    sessionStorage.setItem(TOKEN_KEY, given);
    history.replaceState(null, "", `${location.pathname}${location.search}`);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? "";
}
const token = readToken();

async function api(path, init) {
  const headers = { authorization: `Bearer ${token}` };
  if (init?.method === "POST")
    Object.assign(headers, { "content-type": "application/json", "x-tunelake-console": "1" });
  // The document's Referrer-Policy is no-referrer, under which the Fetch standard sends `Origin: null` with a POST
  // (which the console refuses; Chromium 153 sends the true origin anyway): same-origin asks for the true Origin in
  // every browser, and would send a Referer to the console itself only.
  const res = await fetch(`/api${path}`, { ...init, headers, credentials: "omit", referrerPolicy: "same-origin" });
  const body = await res.json();
  if (!res.ok) throw new Error(`${body.error}: ${body.message}`);
  return body;
}

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : String(c ?? ""));
  return node;
};
const svg = (tag, attrs = {}) => {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
};
const duration = (ms) => (ms === undefined ? "" : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);
const pretty = (v) => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v, null, 2));

function confirmAction(text) {
  return new Promise((resolve) => {
    const dialog = $("#confirm");
    $("#confirm-text").textContent = text;
    dialog.onclose = () => resolve(dialog.returnValue === "ok");
    dialog.returnValue = "";
    dialog.showModal();
  });
}

async function refreshExecutions() {
  const { executions, pending, actionErrors } = await api("/executions");
  const key = JSON.stringify([executions, pending]);
  const errors = Object.entries(actionErrors).map(([n, e]) => `${n}: ${e.error}: ${e.message}`);
  $("#action-message").textContent = [pending.length ? `Going: ${pending.join(", ")}` : "", ...errors].join("\n");
  if (key === view.listKey) return;
  view.listKey = key;
  const body = $("#executions tbody");
  body.replaceChildren(
    ...executions.map((e) => {
      const row = el(
        "tr",
        { "data-name": e.name, class: e.name === view.selected ? "selected" : undefined },
        el("td", {}, e.name),
        el("td", { class: `status-${e.status}` }, e.status),
        el("td", {}, new Date(e.startDate).toLocaleString()),
        el("td", {}, duration(e.durationMs)),
        el("td", {}, e.failedStage ?? ""),
        el("td", {}, e.redriveCount),
      );
      row.onclick = () => select(e.name);
      return row;
    }),
  );
  if (!view.selected && executions[0]) await select(executions[0].name);
  else if (view.selected) await loadExecution();
}

async function select(name) {
  view.selected = name;
  view.state = undefined;
  for (const row of document.querySelectorAll("#executions tbody tr")) {
    row.classList.toggle("selected", row.dataset.name === name);
  }
  await loadExecution();
}

async function loadExecution() {
  const name = view.selected;
  const [detail, history] = await Promise.all([api(`/executions/${name}`), api(`/executions/${name}/history`)]);
  if (name !== view.selected) return;
  view.detail = detail;
  view.events = history.events;
  const e = detail.execution;
  $("#execution-title").textContent = `${e.name} — ${e.status}`;
  $("#execution-title").className = `status-${e.status}`;
  $("#execution-error").textContent = e.error ? `${e.error}: ${e.cause ?? ""}` : "";
  $("#redrive").hidden = !["FAILED", "ABORTED", "TIMED_OUT"].includes(e.status);
  $("#redrive").textContent = e.failedStage ? `Redrive (resume at ${e.failedStage})` : "Redrive";
  $("#abort").hidden = e.status !== "RUNNING";
  colourGraph();
  if (view.scrolledFor !== name) {
    view.scrolledFor = name;
    scrollGraphTo(
      e.status === "SUCCEEDED"
        ? undefined
        : (e.failedStage ?? detail.states.find((x) => x.outcome === "running")?.name),
    );
  }
  renderHistory();
  if (view.state) showState(view.state);
}

// Brings a state of the graph to the middle of its pane (the failed stage of a failed run); else the top left.
function scrollGraphTo(state) {
  const wrap = $("#graph-wrap");
  const n = view.graph?.nodes.find((x) => x.id === state);
  if (!n) {
    wrap.scrollTo(0, 0);
    return;
  }
  const scale = $("#graph").getBoundingClientRect().width / view.graph.width;
  wrap.scrollTo(
    Math.max(0, (n.x + n.width / 2) * scale - wrap.clientWidth / 2),
    Math.max(0, (n.y + n.height / 2) * scale - wrap.clientHeight / 2),
  );
}

async function drawGraph() {
  const g = await api("/graph");
  view.graph = g;
  const root = $("#graph");
  root.setAttribute("viewBox", `0 0 ${g.width} ${g.height}`);
  fitGraph();
  const defs = svg("defs");
  const marker = svg("marker", {
    id: "arrow",
    viewBox: "0 0 10 10",
    refX: 10,
    refY: 5,
    markerWidth: 6,
    markerHeight: 6,
    orient: "auto",
  });
  marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: "#879596" }));
  defs.append(marker);
  root.replaceChildren(defs);
  // Compound boxes first so their children draw above them.
  const nodes = [...g.nodes].sort((a, b) => Number(b.compound) - Number(a.compound));
  for (const n of nodes) {
    const group = svg("g", { class: `node${n.compound ? " compound" : ""}`, "data-state": n.id, "data-type": n.type });
    group.append(svg("rect", { x: n.x, y: n.y, width: n.width, height: n.height, rx: 6 }));
    const label = svg("text", {
      x: n.x + (n.compound ? 8 : n.width / 2),
      y: n.y + (n.compound ? 16 : n.height / 2 + 4),
      "text-anchor": n.compound ? "start" : "middle",
    });
    label.textContent = n.compound ? `${n.label} (${n.type})` : n.label;
    const badge = svg("text", { x: n.x + n.width - 4, y: n.y + 11, "text-anchor": "end", class: "retries" });
    group.append(label, badge);
    if (n.type !== "Branch")
      group.onclick = (ev) => {
        ev.stopPropagation();
        showState(n.id);
      };
    root.append(group);
  }
  for (const e of g.edges) {
    const d = e.points.map((p, i) => `${i ? "L" : "M"}${p.x},${p.y}`).join(" ");
    root.append(svg("path", { d, class: `edge ${e.kind}`, "data-from": e.from, "data-to": e.to }));
  }
  $("#legend").replaceChildren(...OUTCOMES.map((o) => el("span", { class: `legend-${o}` }, o)));
}

// The graph is scaled to the pane's width, never above its own size and never below MIN_GRAPH_SCALE, so that its
// 12 px labels stay at least 11 px on screen; below that the pane scrolls (docs/console.md).
const MIN_GRAPH_SCALE = 11 / 12;
function fitGraph() {
  const g = view.graph;
  if (!g) return;
  const pane = $("#graph-wrap").clientWidth || g.width;
  const scale = Math.max(MIN_GRAPH_SCALE, Math.min(1, pane / g.width));
  const root = $("#graph");
  root.style.width = `${Math.ceil(g.width * scale)}px`;
  root.style.height = `${Math.ceil(g.height * scale)}px`;
}

function colourGraph() {
  if (!view.graph || !view.detail) return;
  const byName = new Map(view.detail.states.map((s) => [s.name, s]));
  const failedStage = view.detail.execution.status !== "SUCCEEDED" ? view.detail.execution.failedStage : undefined;
  for (const group of document.querySelectorAll("#graph .node")) {
    const s = byName.get(group.dataset.state);
    for (const o of OUTCOMES) group.classList.remove(`outcome-${o}`);
    group.classList.toggle("failed-stage", group.dataset.state === failedStage);
    group.classList.toggle("selected", group.dataset.state === view.state);
    group.dataset.outcome = s?.outcome ?? "";
    if (s) group.classList.add(`outcome-${s.outcome}`);
    group.querySelector(".retries").textContent = s?.retries ? `↻${s.retries}` : "";
    const title = group.querySelector("title") ?? group.appendChild(svg("title"));
    title.textContent = s ? `${s.name}: ${s.outcome}${s.retries ? `, ${s.retries} retries` : ""}` : group.dataset.state;
  }
}

function showState(name) {
  view.state = name;
  colourGraph();
  const s = view.detail?.states.find((x) => x.name === name);
  const box = $("#state-detail");
  box.hidden = false;
  if (!s) {
    box.replaceChildren(el("h3", {}, name), el("p", {}, "No execution selected."));
    return;
  }
  const part = (title, value, id) =>
    value === undefined || value === "" ? [] : [el("h4", {}, title), el("pre", { id }, pretty(value))];
  box.replaceChildren(
    el("h3", { id: "state-name" }, `${s.name} (${s.type})`),
    el(
      "p",
      { id: "state-summary" },
      `${s.outcome} · entered ${s.entered}× · retries ${s.retries} · ${duration(s.durationMs) || "no duration"}`,
    ),
    ...part("Input", s.input, "state-input"),
    ...part("Output", s.output, "state-output"),
    ...part("Error", s.error, "state-error"),
    ...part("Cause", s.cause, "state-cause"),
  );
  $("#filter-state").value = "";
}

const eventState = (ev) => ev.stateEnteredEventDetails?.name ?? ev.stateExitedEventDetails?.name ?? "";
// An event's details, pretty-printed: the JSON texts inside (a state's input and output) are parsed and indented too.
const unfold = (value) => {
  if (typeof value === "string" && /^[[{]/.test(value)) {
    try {
      return unfold(JSON.parse(value));
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value.map(unfold);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unfold(v)]));
  return value;
};
const eventDetails = (ev) => {
  const { id, previousEventId, timestamp, type, ...rest } = ev;
  const details = Object.values(rest)[0];
  return details === undefined ? "" : el("pre", { class: "event-details" }, JSON.stringify(unfold(details), null, 2));
};

function renderHistory() {
  const typeSel = $("#filter-type");
  const stateSel = $("#filter-state");
  const fill = (sel, values) => {
    const keep = sel.value;
    sel.replaceChildren(sel.options[0], ...values.map((v) => el("option", { value: v }, v)));
    sel.value = values.includes(keep) ? keep : "";
  };
  fill(typeSel, [...new Set(view.events.map((e) => e.type))].sort());
  fill(stateSel, [...new Set(view.events.map(eventState).filter(Boolean))].sort());
  const type = typeSel.value;
  const state = stateSel.value;
  // A state filter keeps the events from its entry to its exit (task events name no state).
  let inside = false;
  const rows = view.events.filter((e) => {
    if (type && e.type !== type) return false;
    if (!state) return true;
    const name = eventState(e);
    if (name === state && e.type.endsWith("Entered")) inside = true;
    const keep = name === state || (inside && !name);
    if (name === state && e.type.endsWith("Exited")) inside = false;
    return keep;
  });
  $("#history tbody").replaceChildren(
    ...rows.map((e) =>
      el(
        "tr",
        { "data-type": e.type },
        el("td", {}, e.id),
        el("td", {}, e.type),
        el("td", {}, eventState(e)),
        el("td", {}, e.timestamp),
        el("td", {}, eventDetails(e)),
      ),
    ),
  );
}

async function action(text, run) {
  if (!(await confirmAction(text))) return;
  try {
    await run();
    view.listKey = "";
    await refreshExecutions();
  } catch (error) {
    $("#action-message").textContent = error.message;
  }
}

async function loadLake() {
  const lake = await api("/lake");
  const dates = [...new Set(lake.rowsPerDate.map((r) => r.dt))];
  const tables = [...new Set(lake.rowsPerDate.map((r) => r.table_name))];
  const chart = $("#rows-chart");
  chart.replaceChildren();
  for (const t of tables) {
    const values = dates.map((d) => lake.rowsPerDate.find((r) => r.dt === d && r.table_name === t)?.rows ?? 0);
    const max = Math.max(1, ...values);
    const s = svg("svg", {
      width: Math.max(120, 8 + dates.length * 38),
      height: 60,
      class: "rows-chart",
      "data-table": t,
      role: "img",
      "aria-label": `${t}: rows per date`,
    });
    values.forEach((v, i) => {
      const h = (v / max) * 40;
      const bar = svg("rect", { class: "bar", x: 4 + i * 38, y: 44 - h, width: 28, height: h });
      const tip = svg("title");
      tip.textContent = `${t} ${dates[i]}: ${v} rows`;
      bar.append(tip);
      const label = svg("text", { class: "bar-label", x: 4 + i * 38, y: 56 });
      label.textContent = dates[i].slice(5);
      s.append(bar, label);
    });
    chart.append(
      el(
        "figure",
        { class: "rows-card" },
        el(
          "figcaption",
          {},
          el("strong", {}, t),
          ` latest ${values.at(-1)}, max ${max === 1 && !values.some((v) => v) ? 0 : max}`,
        ),
        s,
      ),
    );
  }
  if (!tables.length) chart.textContent = "No table_stats yet: run the pipeline.";
  $("#coverage tbody").replaceChildren(
    ...lake.coverage.map((c) => {
      const share = c.rows ? c.non_null / c.rows : 0;
      return el(
        "tr",
        {},
        el("td", {}, c.table_name),
        el("td", {}, c.column_name),
        el("td", {}, `${c.non_null}/${c.rows}`),
        el("td", {}, coverageBar(share)),
      );
    }),
  );
  $("#rejects tbody").replaceChildren(
    ...lake.rejects.map((r) =>
      el("tr", {}, el("td", {}, r.dt), el("td", {}, r.entity), el("td", {}, r.table_name), el("td", {}, r.rejects)),
    ),
  );
  $("#reject-reasons tbody").replaceChildren(
    ...lake.rejectReasons.map((r) =>
      el("tr", {}, el("td", {}, r.dt), el("td", {}, r.file), el("td", {}, r.reason), el("td", {}, r.count)),
    ),
  );
  $("#tables").replaceChildren(
    ...lake.tables.map((t) => el("li", {}, `${t.name} (${t.columns.map((c) => c.name).join(", ")})`)),
  );
}

// Set through the CSSOM: the Content-Security-Policy allows no inline style attribute.
function coverageBar(share) {
  const bar = el("div", { class: "coverage-bar" });
  bar.style.width = `${Math.round(share * 100)}px`;
  return bar;
}

async function runQuery(sql) {
  $("#query-info").textContent = "Running…";
  try {
    const result = await api("/query", { method: "POST", body: JSON.stringify({ sql }) });
    $("#query-result thead").replaceChildren(
      el("tr", {}, ...result.columns.map((c) => el("th", { title: c.type }, c.name))),
    );
    $("#query-result tbody").replaceChildren(
      ...result.rows.map((r) => el("tr", {}, ...result.columns.map((c) => el("td", {}, pretty(r[c.name]))))),
    );
    $("#query-info").textContent =
      `${result.rows.length} rows${result.bytesScanned !== undefined ? ` · ${result.bytesScanned} bytes scanned` : ""}${result.queryExecutionId ? ` · ${result.queryExecutionId}` : ""}${result.truncatedMessage ? ` · ${result.truncatedMessage}` : ""}`;
    $("#query-info").classList.toggle("truncated", Boolean(result.truncated));
  } catch (error) {
    $("#query-info").textContent = error.message;
  }
}

function route() {
  const lake = location.hash === "#lake";
  $("#runs-view").hidden = lake;
  $("#lake-view").hidden = !lake;
  if (lake)
    loadLake().catch((e) => {
      $("#rows-chart").textContent = e.message;
    });
}

async function main() {
  const info = await api("/info");
  $("#backend").textContent = `${info.backend}: ${info.location}`;
  $("#start-date").value = new Date().toISOString().slice(0, 10);
  $("#start-form").onsubmit = (ev) => {
    ev.preventDefault();
    const date = $("#start-date").value;
    action(`Start a run for ${date}?`, () => api("/executions", { method: "POST", body: JSON.stringify({ date }) }));
  };
  $("#redrive").onclick = () => {
    const e = view.detail.execution;
    action(`Redrive ${e.name}, resuming at ${e.failedStage ?? "the failed stage"}?`, () =>
      api(`/executions/${e.name}/redrive`, { method: "POST" }),
    );
  };
  $("#abort").onclick = () => {
    const e = view.detail.execution;
    action(`Abort ${e.name}?`, () => api(`/executions/${e.name}/abort`, { method: "POST" }));
  };
  $("#filter-type").onchange = renderHistory;
  $("#filter-state").onchange = renderHistory;
  $("#query-form").onsubmit = (ev) => {
    ev.preventDefault();
    runQuery($("#sql").value);
  };
  window.onhashchange = route;
  window.onresize = fitGraph;
  route();
  await drawGraph();
  await refreshExecutions();
  // Live: poll while the page is open (a run updates its record and history as it goes).
  setInterval(
    () =>
      refreshExecutions().catch((e) => {
        $("#action-message").textContent = e.message;
      }),
    1500,
  );
}

main().catch((e) => {
  document.body.prepend(el("p", { class: "status-FAILED" }, e.message));
});
