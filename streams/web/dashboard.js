// Warta dashboard: polls /warta/stats (the merged view of every worker) and draws small SVG charts itself.
"use strict";

const POLL_MS = 2000;
const SVG = "http://www.w3.org/2000/svg";
// One colour per PLOVER type, grouped: cooperation greens/blues, verbal conflict ambers, material conflict reds.
const TYPE_COLOURS = {
  AGREE: "#15803d", CONSULT: "#0f766e", SUPPORT: "#16a34a", CONCEDE: "#65a30d", COOPERATE: "#0891b2",
  AID: "#2563eb", RETREAT: "#7c3aed", REQUEST: "#4f46e5", ACCUSE: "#d97706", REJECT: "#b45309",
  THREATEN: "#ea580c", PROTEST: "#c026d3", SANCTION: "#be185d", MOBILIZE: "#9f1239", COERCE: "#b91c1c",
  ASSAULT: "#7f1d1d",
};

const $ = (id) => document.getElementById(id);
const fmt = (n) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en"));
const pct = (x) => (x === null || x === undefined ? "–" : (100 * x).toFixed(1) + " %");
const ms = (x) => (x === null || x === undefined ? "–" : x >= 1000 ? (x / 1000).toFixed(2) + " s" : Math.round(x) + " ms");

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "style") node.style.cssText = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c === null || c === undefined ? "" : String(c)));
  return node;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function niceMax(v) {
  if (v <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= v);
}

// A line chart of per-minute values; `series` = [{name, values, colour}], `starts` = window starts (epoch s).
function lineChart(container, starts, series, opts) {
  const W = 600, H = 190, L = 44, R = 24, T = 10, B = 22;
  const all = series.flatMap((s) => s.values.filter((v) => v !== null));
  const yMax = opts.yMax || niceMax(Math.max(0, ...all));
  const x = (i) => L + (i * (W - L - R)) / Math.max(1, starts.length - 1);
  const y = (v) => T + (H - T - B) * (1 - v / yMax);
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: "none", role: "img" });
  for (const f of [0, 0.5, 1]) {
    root.append(svg("line", { x1: L, x2: W - R, y1: y(f * yMax), y2: y(f * yMax), class: "axis" }));
    root.append(svg("text", { x: L - 6, y: y(f * yMax) + 4, "text-anchor": "end" }, opts.format(f * yMax)));
  }
  starts.forEach((s, i) => {
    if ((starts.length - 1 - i) % 15 === 0) {
      const d = new Date(s * 1000);
      const label = `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
      root.append(svg("text", { x: x(i), y: H - 6, "text-anchor": i === starts.length - 1 ? "end" : "middle" }, label));
    }
  });
  for (const s of series) {
    let d = "", pen = false;
    s.values.forEach((v, i) => {
      if (v === null) { pen = false; return; }
      d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    root.append(svg("path", { d, fill: "none", stroke: s.colour, "stroke-width": 2, "vector-effect": "non-scaling-stroke" }));
    // A minute with neighbours on neither side draws no line: mark it (and the latest value) with a dot.
    s.values.forEach((v, i) => {
      const lone = (i === 0 || s.values[i - 1] === null) && (i === s.values.length - 1 || s.values[i + 1] === null);
      if (v !== null && (lone || i === s.values.length - 1)) root.append(svg("circle", { cx: x(i), cy: y(v), r: 3, fill: s.colour }));
    });
  }
  const legend = el("div", { class: "legend" });
  for (const s of series) legend.append(el("i", { style: `background:${s.colour}` }), s.name);
  container.replaceChildren(root, legend);
}

// Horizontal bars: label, bar, count; the largest `limit` entries, the rest summed as "others".
function bars(container, counts, opts) {
  const o = opts || {};
  let items = Object.entries(counts || {}).sort((a, b) => b[1] - a[1]);
  if (o.limit && items.length > o.limit) {
    const rest = items.slice(o.limit - 1).reduce((a, [, v]) => a + v, 0);
    items = items.slice(0, o.limit - 1).concat([["others", rest]]);
  }
  if (!items.length) { container.replaceChildren(el("div", { class: "empty" }, o.empty || "none")); return; }
  const max = Math.max(1, ...items.map(([, v]) => v));
  const nodes = [];
  for (const [k, v] of items) {
    const colour = (o.colours && o.colours[k]) || "";
    nodes.push(el("div", {}, o.label ? o.label(k) : k),
      el("div", {}, el("div", { class: "bar", style: `width:${(100 * v) / max}%;${colour ? "background:" + colour : ""}` })),
      el("div", { class: "n" }, fmt(v)));
  }
  container.replaceChildren(...nodes);
}

function typeBadge(type) {
  return el("span", { class: "type", style: `background:${TYPE_COLOURS[type] || "#475467"}` }, type || "?");
}

function ago(t, now) {
  if (!t) return "";
  const s = Math.max(0, Math.round(now - t));
  return s < 60 ? `${s} s ago` : s < 3600 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

function latestEvents(rows, now) {
  const body = $("latest").tBodies[0];
  if (!rows.length) { body.replaceChildren(el("tr", {}, el("td", { colspan: 7, class: "empty" }, "no events yet"))); return; }
  body.replaceChildren(...rows.map((r) => {
    const who = `${r.actors.join(", ") || "—"} → ${r.recipients.join(", ") || "—"}`;
    const source = r.url ? el("a", { href: r.url, rel: "noopener noreferrer", target: "_blank" }, r.source || r.url)
      : el("span", {}, r.source || r.article_id || "");
    const conf = el("span", {}, el("span", { class: "conf" }, el("i", { style: `width:${100 * (r.confidence || 0)}%` })),
      (r.confidence ?? 0).toFixed(2));
    return el("tr", { title: r.trigger ? `trigger: ${r.trigger} (${r.modality})` : "" },
      el("td", {}, typeBadge(r.type)), el("td", {}, who),
      el("td", {}, r.place ? `${r.place}${r.country ? " (" + r.country + ")" : ""}` : (r.country || "—")),
      el("td", {}, r.time || "—"), el("td", {}, source), el("td", {}, conf), el("td", { class: "muted" }, ago(r.seen_at, now)));
  }));
}

// ---- The map: country outlines from the vendored TopoJSON (world-atlas, via topojson-client), drawn once in the
// Natural Earth projection (d3-geo's naturalEarth1 polynomial, so no projection library is needed); the last hour's
// events as circles, redrawn on every poll.
const MAP_W = 960, MAP_TOP = 84, MAP_BOTTOM = -58; // Antarctica is left out: no news happens there to speak of
const ANTARCTICA = "010";

function naturalEarth(lon, lat) {
  const l = (lon * Math.PI) / 180, p = (lat * Math.PI) / 180, p2 = p * p, p4 = p2 * p2;
  return [l * (0.8707 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4))),
    p * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4)))];
}
const MAP_K = MAP_W / (2 * naturalEarth(180, 0)[0]);
const MAP_Y0 = naturalEarth(0, MAP_TOP)[1];
const MAP_H = Math.round((MAP_Y0 - naturalEarth(0, MAP_BOTTOM)[1]) * MAP_K);
function project(lon, lat) {
  const [x, y] = naturalEarth(lon, lat);
  return [MAP_W / 2 + x * MAP_K, (MAP_Y0 - y) * MAP_K];
}

function ringPath(ring, shift) {
  return ring.map(([lon, lat], i) => {
    const [x, y] = project(lon + shift, lat);
    return `${i ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`;
  }).join("") + "Z";
}

// A ring that crosses the antimeridian (Russia's Chukotka, Fiji) jumps by ~360° between two vertices: unwrap it
// into one continuous ring, draw it once more shifted by a turn, and let the map's outline clip both copies.
function countryPath(geometry) {
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
  let d = "";
  for (const ring of polygons.flat()) {
    let offset = 0;
    const unwrapped = ring.map(([lon, lat], i) => {
      const jump = i ? lon - ring[i - 1][0] : 0;
      if (jump > 180) offset -= 360; else if (jump < -180) offset += 360;
      return [lon + offset, lat];
    });
    d += ringPath(unwrapped, 0);
    const lons = unwrapped.map(([lon]) => lon);
    if (Math.max(...lons) > 180) d += ringPath(unwrapped, -360);
    if (Math.min(...lons) < -180) d += ringPath(unwrapped, 360);
  }
  return d;
}

function mapOutline() {
  const lats = [];
  for (let lat = MAP_BOTTOM; lat <= MAP_TOP; lat += 2) lats.push(lat);
  const edge = (lon, list) => list.map((lat) => project(lon, lat).map((v) => v.toFixed(1)).join(","));
  return `M${edge(-180, lats).join("L")}L${edge(180, lats.slice().reverse()).join("L")}Z`;
}

const worldMap = { land: null, points: null, outlines: "none" }; // outlines: none | loading | drawn

function initMap() {
  const root = svg("svg", { viewBox: `0 0 ${MAP_W} ${MAP_H}`, role: "img", "aria-label": "events of the last hour on a world map" });
  const clip = svg("clipPath", { id: "map-clip" });
  clip.append(svg("path", { d: mapOutline() }));
  const defs = svg("defs");
  defs.append(clip);
  worldMap.land = svg("g", { class: "land", "clip-path": "url(#map-clip)" });
  worldMap.points = svg("g", { class: "points" });
  root.append(defs, svg("path", { d: mapOutline(), class: "sea" }), worldMap.land, worldMap.points);
  $("map").replaceChildren(root);
  loadOutlines();
}

// Once; if the worker did not answer (restarting), the next poll tries again.
function loadOutlines() {
  worldMap.outlines = "loading";
  fetch("/warta/static/countries-110m.json").then((r) => {
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return r.json();
  }).then((world) => {
    const countries = topojson.feature(world, world.objects.countries).features.filter((f) => f.id !== ANTARCTICA);
    worldMap.land.replaceChildren(...countries.map((f) => {
      const path = svg("path", { d: countryPath(f.geometry) });
      path.append(svg("title", {}, f.properties.name));
      return path;
    }));
    worldMap.outlines = "drawn";
  }).catch(() => { worldMap.outlines = "none"; });
}

const placeName = (p) => `${p.place || "?"}${p.country && p.country !== p.place ? ", " + p.country : ""}`;
const PRECISION = { region: "a region, shown at its seat", country: "a whole country, shown at a point inside it" };

function drawMap(state) {
  if (worldMap.outlines === "none") loadOutlines();
  const points = (state && state.points) || [];
  const max = Math.max(1, ...points.map((p) => p.count));
  // Circle area grows with the count (a sqrt scale): one event has a radius of 5 units (of 960 across), the largest
  // 22 at most; none is smaller than 3, so a single event among hundreds stays visible.
  const k = Math.min(5, 22 / Math.sqrt(max));
  // Several types at one place would hide each other: set them around the place, a few units apart.
  const byPlace = new Map();
  for (const p of points) {
    const key = p.gazetteer_id || `${p.lat.toFixed(2)},${p.lon.toFixed(2)}`;
    if (!byPlace.has(key)) byPlace.set(key, []);
    byPlace.get(key).push(p);
  }
  const circles = [];
  for (const group of byPlace.values()) {
    group.forEach((p, i) => {
      const [x, y] = project(p.lon, p.lat);
      const a = (2 * Math.PI * i) / group.length - Math.PI / 2, off = group.length > 1 ? 5 : 0;
      const c = svg("circle", { cx: (x + off * Math.cos(a)).toFixed(1), cy: (y + off * Math.sin(a)).toFixed(1),
        r: Math.max(3, k * Math.sqrt(p.count)).toFixed(1), fill: TYPE_COLOURS[p.type] || "#475467", "data-type": p.type });
      const detail = [p.time ? `latest event time ${p.time}` : "", PRECISION[p.precision] || ""].filter(Boolean).join("; ");
      c.append(svg("title", {}, `${placeName(p)} — ${p.type} ×${p.count}${detail ? "\n" + detail : ""}`));
      circles.push([p.count, c]);
    });
  }
  circles.sort((a, b) => b[0] - a[0]); // the larger first, so the smaller stay on top
  worldMap.points.replaceChildren(...circles.map(([, c]) => c));
  const byType = {};
  for (const p of points) byType[p.type] = (byType[p.type] || 0) + p.count;
  const legend = Object.entries(byType).sort((a, b) => b[1] - a[1]).flatMap(([t, n]) =>
    [el("i", { style: `background:${TYPE_COLOURS[t] || "#475467"}` }), `${t} ${n}`]);
  $("map-legend").replaceChildren(...legend);
  const placed = state ? state.placed : 0, unplaced = state ? state.unplaced : 0;
  $("map-note").textContent = placed + unplaced === 0 ? "no events in the last hour"
    : `${fmt(placed)} of ${fmt(placed + unplaced)} events placed; the others name no place the gazetteer knows`;
  const places = {}, lead = {};
  for (const p of points) {
    const name = placeName(p);
    places[name] = (places[name] || 0) + p.count;
    if (!lead[name] || lead[name][1] < p.count) lead[name] = [p.type, p.count];
  }
  bars($("places"), places, { limit: 14, colours: Object.fromEntries(Object.entries(lead).map(([n, [t]]) => [n, TYPE_COLOURS[t]])),
    empty: "no events placed in the last hour" });
}

function latencyTable(lat) {
  const order = ["dedup", "tag", "time", "end_to_end"];
  const rows = order.filter((s) => lat[s]).map((s) => {
    const v = lat[s];
    return el("tr", {}, el("td", {}, s.replaceAll("_", " ")), el("td", {}, fmt(v.count)), el("td", {}, ms(v.p50)),
      el("td", {}, ms(v.p90)), el("td", {}, ms(v.p99)), el("td", {}, ms(v.mean)));
  });
  $("latency").tBodies[0].replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 6, class: "empty" }, "nothing processed in the last hour"))]));
}

function workersTable(workers, self) {
  $("workers").tBodies[0].replaceChildren(...workers.map((w) => {
    const parts = Object.values(w.partitions || {}).reduce((a, p) => a + p.length, 0);
    const state = !w.alive ? "gone" : w.ready ? "ready" : "starting";
    const name = w.web ? el("a", { href: w.web }, w.worker) : el("span", {}, w.worker);
    return el("tr", {}, el("td", {}, name, w.worker === self ? " (this one)" : ""),
      el("td", { class: w.alive ? "alive" : "gone" }, state), el("td", {}, w.alive ? parts : "–"),
      el("td", {}, fmt(w.lag)), el("td", {}, fmt(w.articles_last_hour)));
  }));
}

function render(s) {
  const t = s.totals_last_hour;
  const alive = s.workers.filter((w) => w.alive);
  $("status").className = "status ok";
  $("status").textContent = `${alive.length} worker${alive.length === 1 ? "" : "s"} (${alive.filter((w) => w.ready).length} ready) · ${s.app_id} · served by ${s.worker} · ${new Date(s.now * 1000).toLocaleTimeString()}`;
  $("rate").textContent = fmt(s.rates.articles_per_min);
  $("articles").textContent = fmt(t.articles || 0);
  $("paragraphs").textContent = `${fmt(t.paragraphs || 0)} paragraphs · ${fmt(t.enriched || 0)} enriched`;
  $("ratio").textContent = pct(s.dedup_ratio);
  $("dups").textContent = `${fmt(s.flagged_last_hour)} paragraphs flagged`;
  $("events").textContent = fmt(t.events || 0);
  $("event-rate").textContent = `${fmt(s.rates.events_per_min)} / min now`;
  $("dead").textContent = fmt(t.deadletters || 0);
  const topReason = Object.keys(s.deadletters_by_reason)[0];
  $("dead-top").textContent = topReason ? `mostly ${topReason}` : "none";
  $("lag").textContent = fmt(s.lag_total);
  const e2e = s.latency_ms.end_to_end;
  $("e2e").textContent = e2e ? `${ms(e2e.p50)} / ${ms(e2e.p99)}` : "–";
  $("e2e-count").textContent = e2e ? `${fmt(e2e.count)} articles` : "no article yet";
  lineChart($("chart-throughput"), s.series.start, [
    { name: "articles in", values: s.series.articles, colour: "#2563eb" },
    { name: "enriched", values: s.series.enriched, colour: "#16a34a" },
    { name: "events", values: s.series.events, colour: "#d97706" },
  ], { format: (v) => fmt(Math.round(v * 10) / 10) });
  lineChart($("chart-ratio"), s.series.start, [{ name: "dedup ratio", values: s.series.dedup_ratio, colour: "#7c3aed" }],
    { yMax: 1, format: (v) => Math.round(100 * v) + "%" });
  bars($("types"), s.events_by_type, { colours: TYPE_COLOURS, empty: "no events in the last hour" });
  bars($("countries"), s.events_by_country, { limit: 12, empty: "no events in the last hour" });
  const prefix = s.app_id.endsWith("workers") ? s.app_id.slice(0, -"workers".length) : "";
  bars($("lag-topics"), s.lag_by_topic, { label: (k) => (prefix && k.startsWith(prefix) ? k.slice(prefix.length) : k), empty: "no partitions assigned" });
  bars($("dead-reasons"), s.deadletters_by_reason, { colours: Object.fromEntries(Object.keys(s.deadletters_by_reason).map((k) => [k, "#dc2626"])), empty: "none in the last hour" });
  const stages = Object.entries(s.deadletters_by_stage).map(([k, v]) => `${k}: ${v}`).join(" · ");
  $("dead-stages").textContent = stages ? `by stage: ${stages}` : "";
  bars($("kinds"), s.duplicates_by_kind, { colours: { exact: "#2563eb", near: "#0891b2", boilerplate: "#667085", corrections: "#d97706" }, empty: "no duplicates in the last hour" });
  drawMap(s.event_map);
  latestEvents(s.latest_events, s.now);
  latencyTable(s.latency_ms);
  workersTable(s.workers, s.worker);
}

async function refresh() {
  try {
    const response = await fetch("/warta/stats", { cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    render(await response.json());
  } catch (err) {
    $("status").className = "status down";
    $("status").textContent = `no answer from this worker (${err.message}); retrying`;
  }
}

initMap();
refresh();
setInterval(refresh, POLL_MS);
