// carezones workshop: the page. Data arrives as JSON and is written with textContent only.
"use strict";
(function () {
  const LOT_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
    "#a6761d", "#1f78b4", "#b2df8a", "#fb9a99", "#cab2d6", "#ffff99"];
  const ZONE_COLOURS = ["#377eb8", "#e41a1c", "#4daf4a", "#984ea3", "#ff7f00", "#a65628",
    "#f781bf", "#999999", "#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f",
    "#e5c494", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e"];
  const cz = { units: [], labels: [], zones: [], lots: [], violations: [], summary: {},
    colours: {}, selected: new Set(), markers: [], busy: false, last: null };
  window.cz = cz;

  const el = (id) => document.getElementById(id);
  function make(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function fmt(v, digits) {
    return v === null || v === undefined || Number.isNaN(v) ? "–" : Number(v).toFixed(digits);
  }
  function status(text, error) {
    const s = el("status");
    s.textContent = text;
    s.className = error ? "error" : "";
  }

  // The session's token, written into this page only: every call carries it, so no other
  // page (which cannot read this one) can drive the workshop.
  const TOKEN = document.querySelector("meta[name='carezones-token']").content;

  async function api(path, body) {
    const headers = { "X-Carezones-Token": TOKEN };
    const opts = body === undefined ? { headers } : { method: "POST",
      headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify(body) };
    const r = await fetch(path, opts);
    const data = await r.json();
    if (!r.ok) {
      const err = new Error(data.error || r.statusText);
      err.status = r.status;
      throw err;
    }
    return data;
  }

  // ------------------------------------------------------------------ map
  const map = L.map("map", { preferCanvas: true, boxZoom: false });
  const renderer = L.canvas({ padding: 0.3 });
  const demandLayer = L.layerGroup().addTo(map);
  const outlineLayer = L.layerGroup().addTo(map);
  const unitLayer = L.layerGroup().addTo(map);
  const outlines = {};
  L.control.scale({ imperial: false }).addTo(map);
  L.control.layers(null, { "Demand (h/week per 250 m hexagon, 3+ clients)": demandLayer,
    "Zones": outlineLayer, "Street units": unitLayer }, { collapsed: false }).addTo(map);
  map.attributionControl.addAttribution("© OpenStreetMap contributors");

  function zoneIndex(zoneId) { return cz.zones.findIndex((z) => z.zone_id === zoneId); }
  // A zone's fill: the colour the server gives it (as on the saved maps, never a
  // neighbour's); a zone it has not coloured yet takes one from the palette.
  function zoneColour(zoneId) {
    if (cz.colours[zoneId]) return cz.colours[zoneId];
    const i = Math.max(zoneIndex(zoneId), 0);
    return ZONE_COLOURS[i % ZONE_COLOURS.length];
  }
  function lotColour(lot) {
    const lots = cz.lots.map((l) => l.lot);
    const i = lots.indexOf(lot);
    return i < 0 ? "#bbbbbb" : LOT_COLOURS[i % LOT_COLOURS.length];
  }
  function unitStyle(i) {
    const sel = cz.selected.has(i);
    const z = cz.labels[i];
    return { radius: sel ? 4 : 2.4, weight: sel ? 1.5 : 0.6, color: sel ? "#000" : "#555",
      fillColor: sel ? "#000000" : (z >= 0 && cz.zones[z] ? zoneColour(cz.zones[z].zone_id)
        : "#bbbbbb"), fillOpacity: 0.9 };
  }
  function drawUnits() {
    unitLayer.clearLayers();
    cz.markers = cz.units.map((ll, i) => {
      const m = L.circleMarker(ll, { renderer, ...unitStyle(i) });
      m.on("click", () => { toggle([i]); });
      m.addTo(unitLayer);
      return m;
    });
  }
  function restyle(indices) { for (const i of indices) cz.markers[i].setStyle(unitStyle(i)); }

  function drawDemand(collection) {
    const hours = collection.features.map((f) => f.properties.weekly_hours).sort((a, b) => a - b);
    const top = hours.length ? hours[Math.floor(0.95 * (hours.length - 1))] : 1;
    L.geoJSON(collection, { interactive: false, style: (f) => ({ stroke: false, fillColor: "#7a4b00",
      fillOpacity: 0.08 + 0.4 * Math.min(f.properties.weekly_hours / top, 1) }) }).addTo(demandLayer);
  }

  function drawOutlines(collection, replaceAll) {
    if (replaceAll) { outlineLayer.clearLayers(); for (const k in outlines) delete outlines[k]; }
    for (const f of collection.features) {
      const zid = f.properties.zone_id;
      if (f.properties.colour && f.properties.colour !== "#bbbbbb") cz.colours[zid] = f.properties.colour;
      if (outlines[zid]) { outlineLayer.removeLayer(outlines[zid]); }
      const layer = L.geoJSON(f, { interactive: false, style: () => ({
        color: lotColour(f.properties.lot), weight: 3, fillColor: zoneColour(zid), fillOpacity: 0.35 }) });
      const label = make("span", zid);
      layer.bindTooltip(label, { permanent: true, direction: "center", className: "zone-label" });
      outlines[zid] = layer;
      layer.addTo(outlineLayer);
    }
    for (const zid of Object.keys(outlines)) {
      if (zoneIndex(zid) < 0) { outlineLayer.removeLayer(outlines[zid]); delete outlines[zid]; }
    }
  }

  // ------------------------------------------------------------------ selection and lasso
  function toggle(indices) {
    for (const i of indices) { if (cz.selected.has(i)) cz.selected.delete(i); else cz.selected.add(i); }
    restyle(indices);
    el("selection").textContent = `${cz.selected.size} street units selected`;
  }
  cz.select = function (indices) {
    const add = indices.filter((i) => !cz.selected.has(i));
    toggle(add);
  };
  function clearSelection() {
    const old = [...cz.selected];
    cz.selected.clear();
    restyle(old);
    el("selection").textContent = "0 street units selected";
  }
  function inside(pt, poly) {
    let c = false;
    for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
      const a = poly[i], b = poly[j];
      if ((a[0] > pt[0]) !== (b[0] > pt[0]) &&
          pt[1] < ((b[1] - a[1]) * (pt[0] - a[0])) / (b[0] - a[0]) + a[1]) c = !c;
    }
    return c;
  }
  cz.lassoSelect = function (poly) {
    const hits = [];
    cz.units.forEach((ll, i) => { if (inside(ll, poly)) hits.push(i); });
    cz.select(hits);
    return hits.length;
  };
  let lassoOn = false, drawing = null;
  function setLasso(on) {
    lassoOn = on;
    el("lasso").classList.toggle("active", on);
    if (on) map.dragging.disable(); else map.dragging.enable();
  }
  map.on("mousedown", (e) => {
    if (!(lassoOn || (e.originalEvent && e.originalEvent.shiftKey))) return;
    map.dragging.disable();
    drawing = L.polyline([e.latlng], { color: "#000", dashArray: "4 4", weight: 1.5 }).addTo(map);
  });
  map.on("mousemove", (e) => { if (drawing) drawing.addLatLng(e.latlng); });
  map.on("mouseup", () => {
    if (!drawing) return;
    const poly = drawing.getLatLngs().map((p) => [p.lat, p.lng]);
    map.removeLayer(drawing);
    drawing = null;
    if (!lassoOn) map.dragging.enable();
    if (poly.length > 2) cz.lassoSelect(poly);
  });

  // ------------------------------------------------------------------ panel
  function renderTables() {
    const floor = cz.summary.min_weekly_hours, cap = cz.summary.max_weekly_hours;
    const tbody = el("zones").querySelector("tbody");
    tbody.replaceChildren();
    const target = el("target");
    const chosen = target.value;
    target.replaceChildren();
    cz.zones.forEach((z, i) => {
      const tr = make("tr");
      tr.dataset.zone = z.zone_id;
      const name = make("td");
      const sw = make("span", null, "swatch");
      sw.style.background = zoneColour(z.zone_id);
      name.append(sw, make("span", z.zone_id));
      const lot = make("td");
      const lw = make("span", null, "swatch");
      lw.style.background = lotColour(z.lot);
      lot.append(lw, make("span", z.lot || "–"));
      const hours = make("td", fmt(z.weekly_hours, 0), "hours");
      if (z.weekly_hours < floor - 1e-9 || (cap !== null && z.weekly_hours > cap + 1e-9)) hours.classList.add("bad");
      const pieces = make("td", z.pieces, "pieces");
      if (z.pieces !== 1) pieces.classList.add("bad");
      const share = z.share_within_15_min === null ? "–" : `${Math.round(100 * z.share_within_15_min)}%`;
      const lockTd = make("td");
      const box = make("input");
      box.type = "checkbox";
      box.className = "lock";
      box.checked = z.locked;
      box.title = `lock ${z.zone_id}`;
      box.addEventListener("change", () => act("/api/lock", { zone: z.zone_id, locked: box.checked }, false));
      lockTd.append(box);
      const tools = make("td");
      const split = make("button", "split", "split");
      split.type = "button";
      split.addEventListener("click", () => act("/api/split", { zone: z.zone_id }, true));
      const merge = make("select", null, "merge");
      merge.append(make("option", "merge into…"));
      for (const other of cz.zones) if (other.zone_id !== z.zone_id) {
        const o = make("option", other.zone_id); o.value = other.zone_id; merge.append(o);
      }
      merge.addEventListener("change", () => {
        if (merge.selectedIndex > 0) act("/api/merge", { zone: z.zone_id, into: merge.value }, true);
      });
      tools.append(split, merge);
      tr.append(name, lot, hours, pieces, make("td", fmt(z.minutes_to_centre, 1)), make("td", share),
        make("td", fmt(z.travel_per_care_hour, 1)), make("td", fmt(z.hourly_rate, 2)), lockTd, tools);
      tbody.append(tr);
      const opt = make("option", z.zone_id + (z.locked ? " (locked)" : ""));
      opt.value = z.zone_id;
      opt.disabled = z.locked;
      target.append(opt);
    });
    if (zoneIndex(chosen) >= 0) target.value = chosen;
    const rz = el("routed-zone");
    const rchosen = rz.value;
    rz.replaceChildren(...cz.zones.map((z) => { const o = make("option", z.zone_id); o.value = z.zone_id; return o; }));
    if (zoneIndex(rchosen) >= 0) rz.value = rchosen;
    const lots = el("lots").querySelector("tbody");
    lots.replaceChildren();
    for (const l of cz.lots) {
      const tr = make("tr");
      tr.dataset.lot = l.lot;
      const h = make("td", fmt(l.weekly_hours, 0));
      if (l.weekly_hours < cz.summary.min_provider_hours - 1e-9) h.classList.add("bad");
      tr.append(make("td", l.lot), h, make("td", l.zones.join(", ")));
      lots.append(tr);
    }
    const ul = el("violations");
    ul.replaceChildren();
    for (const v of cz.violations) {
      const li = make("li", `${v.rule}: ${v.zone_id}: ${v.detail}`);
      li.dataset.rule = v.rule;
      li.dataset.zone = v.zone_id;
      ul.append(li);
    }
    if (!cz.violations.length) ul.append(make("li", "none: the plan breaks no rule", "none"));
    el("n-violations").textContent = `(${cz.violations.length})`;
    el("undo").disabled = !cz.summary.can_undo;
    el("redo").disabled = !cz.summary.can_redo;
    // Routed figures need carers: without them the button is not offered.
    el("routing").hidden = !cz.summary.has_carers;
    el("no-carers").hidden = Boolean(cz.summary.has_carers);
    const s = cz.summary;
    let line = `${cz.zones.length} zones hold ${Number(s.n_clients).toLocaleString("en-GB")} clients and ` +
      `${Math.round(s.total_hours).toLocaleString("en-GB")} h/week`;
    line += s.n_unassigned ? `; ${s.n_unassigned} clients (${Math.round(s.unassigned_hours).toLocaleString("en-GB")} h/week) ` +
      `in no zone: ${s.why_unassigned}` : "; every client in a zone";
    el("totals").textContent = line;
    renderLegend();
  }

  // ------------------------------------------------------------------ legend
  const legend = L.control({ position: "bottomleft" });
  legend.onAdd = function () {
    const div = L.DomUtil.create("div", "cz-legend");
    div.id = "legend";
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  legend.addTo(map);
  function renderLegend() {
    const div = el("legend");
    div.replaceChildren();
    div.append(make("b", "Zones (fill: one colour per zone)"));
    const zones = make("div");
    for (const z of cz.zones) {
      const row = make("div");
      const box = make("span", null, "box");
      box.style.background = zoneColour(z.zone_id);
      row.append(box, make("span", z.zone_id));
      zones.append(row);
    }
    zones.style.columns = cz.zones.length > 8 ? "4" : "1";
    const lots = make("div");
    for (const l of cz.lots) {
      const row = make("div");
      const box = make("span", null, "box");
      box.style.border = `3px solid ${lotColour(l.lot)}`;
      row.append(box, make("span", `${l.lot}: ${Math.round(l.weekly_hours).toLocaleString("en-GB")} h`));
      lots.append(row);
    }
    lots.style.columns = cz.lots.length > 4 ? "2" : "1";
    div.append(zones, make("b", "Provider lots (border, h/week)"), lots);
    const dots = make("div");
    const dot = make("span", null, "dot");
    dot.style.background = "#555";
    dots.append(dot, make("span", "street unit, in its zone's colour (black: selected)"));
    const demand = make("div");
    const shade = make("span", null, "box");
    shade.style.background = "rgba(122,75,0,0.35)";
    demand.append(shade, make("span", "demand: h/week per 250 m hexagon (3+ clients)"));
    div.append(make("b", "Points and shading"), dots, demand);
  }

  function showRouted(r) {
    el("routed-result").textContent = `Routed (${r.day}, ${r.zone_id}, ${r.carers} carers living there): ` +
      `${fmt(r.travel_per_care_hour, 1)} min travel per care hour, ${fmt(r.travel_minutes_per_visit, 1)} min per visit, ` +
      `£${fmt(r.hourly_rate, 2)}/h; ${r.unscheduled} of ${r.visits} visits unscheduled.`;
  }

  function apply(data, full) {
    if (data.routed) { showRouted(data.routed); return; }
    if (data.labels) {
      const old = cz.labels;
      cz.labels = data.labels;
      if (data.zones) { cz.zones = data.zones; cz.lots = data.lots; }
      if (old.length === cz.labels.length) {
        const changed = [];
        for (let i = 0; i < old.length; i++) if (old[i] !== cz.labels[i]) changed.push(i);
        restyle(changed);
      }
    }
    if (data.zones) {
      cz.zones = data.zones; cz.lots = data.lots; cz.violations = data.violations;
      cz.summary = data.summary;
    }
    if (data.outlines) {
      drawOutlines(data.outlines, full);
      if (full && cz.markers.length) restyle(cz.markers.map((_, i) => i));  // colours may change
    }
    renderTables();
  }

  let overwrite = null;
  async function act(path, body, full) {
    if (cz.busy) return;
    cz.busy = true;
    document.body.dataset.busy = "1";
    status("Working…");
    try {
      const data = await api(path, body);
      cz.last = data;
      apply(data, full);
      status(`${path.replace("/api/", "")}: done in ${Math.round(1000 * data.seconds)} ms` +
        (data.folder ? ` (${data.folder})` : ""));
    } catch (err) {
      status(String(err.message || err), true);
      if (err.status === 409 && path === "/api/save" && !body.overwrite) {
        overwrite = { path, body: { ...body, overwrite: true }, full, message: err.message };
      }
    } finally {
      cz.busy = false;
      delete document.body.dataset.busy;
    }
    if (overwrite) {  // a plan is saved there already: write over it only if the user says so
      const again = overwrite;
      overwrite = null;
      if (window.confirm(`${again.message}\n\nOverwrite the saved plan?`)) {
        await act(again.path, again.body, again.full);
      }
    }
  }

  el("lasso").addEventListener("click", () => setLasso(!lassoOn));
  el("clear").addEventListener("click", clearSelection);
  el("move").addEventListener("click", () => {
    const units = [...cz.selected];
    act("/api/move", { units, zone: el("target").value }, false).then(clearSelection);
  });
  el("routed").addEventListener("click", () => act("/api/routed", { zone: el("routed-zone").value }, false));
  el("undo").addEventListener("click", () => act("/api/undo", {}, true));
  el("redo").addEventListener("click", () => act("/api/redo", {}, true));
  el("redraw").addEventListener("click", () => act("/api/redraw", {}, true));
  el("save").addEventListener("click", () => {
    // A plan that breaks rules is saved only when the user says so, with the rules named.
    if (cz.violations.length) {
      const shown = cz.violations.slice(0, 12).map((v) => `- ${v.rule}: ${v.zone_id}: ${v.detail}`);
      const more = cz.violations.length > 12 ? `\n... and ${cz.violations.length - 12} more` : "";
      const ask = `This plan breaks ${cz.violations.length} rule(s):\n${shown.join("\n")}${more}\n\n` +
        "Save it anyway? (report.json and scenario.toml list them.)";
      if (!window.confirm(ask)) { status("Not saved: the plan breaks rules (see Rules broken)."); return; }
    }
    act("/api/save", { folder: el("folder").value || null }, false);
  });
  el("load").addEventListener("click", () => act("/api/load", { folder: el("folder").value || null }, true));

  async function start() {
    try {
      const u = await api("/api/units");
      cz.units = u.units;
      drawDemand(u.demand);
      const v = await api("/api/view");
      cz.labels = v.labels;
      cz.zones = v.zones; cz.lots = v.lots; cz.violations = v.violations; cz.summary = v.summary;
      drawOutlines(v.outlines, true);  // first: the zones' colours, which the units take
      drawUnits();
      const b = L.latLngBounds(cz.units);
      map.fitBounds(b);
      renderTables();
      status("Click or lasso street units, then move them to a zone.");
      document.body.dataset.ready = "1";
    } catch (err) {
      status(String(err.message || err), true);
    }
  }
  start();
})();
