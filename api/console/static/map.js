// 地图: draws the data of <script id="map-data"> (api/console/map.py) with Leaflet.
// Offline (no tile URL): a plane in metres (L.CRS.Simple; x east, y north of the
// scope's centre), so the scale bar and the walking circles are true.  With a tile URL:
// Web Mercator tiles from the intranet server and the same points by lat/lon.
// Every text is set as text (names come from ledgers), never as HTML.
(function () {
  "use strict";
  var data = window.jinlin && jinlin.data("map-data");
  var box = document.getElementById("map");
  if (!data || !box || !window.L) {
    return;
  }
  // Leaflet puts a string tooltip in as HTML: ours get an element holding the text
  function textNode(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }
  var tiles = data.tiles;
  var map = tiles ? L.map(box) : L.map(box, {crs: L.CRS.Simple, minZoom: -7, maxZoom: 4,
                                             zoomSnap: 0.25});
  if (tiles) {
    L.tileLayer(tiles, {maxZoom: 19}).addTo(map);
  }
  L.control.scale({imperial: false, metric: true, maxWidth: 160}).addTo(map);
  var colours = {};
  var names = {};
  data.legend.forEach(function (entry) {
    colours[entry.key] = entry.colour;
    names[entry.key] = entry.name;
  });

  function at(p) {
    return tiles ? [p.lat, p.lon] : [p.y, p.x];
  }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }
  function popup(title, lines, link) {
    var root = el("div", null, "map-popup");
    root.appendChild(el("h3", title));
    var list = el("ul");
    lines.forEach(function (line) {
      list.appendChild(el("li", line[0], line[1]));
    });
    root.appendChild(list);
    if (link) {
      var a = el("a", link[1]);
      a.href = link[0];
      root.appendChild(a);
    }
    return root;
  }
  function mark(layer, cls, code) {
    var node = layer.getElement();
    if (node) {
      node.classList.add(cls);
      node.setAttribute("data-code", code);
    }
  }
  function ringOf(c) {
    return tiles ? c.ring : c.outline.map(function (p) { return [p[1], p[0]]; });
  }
  function circleBox(s) {
    var r = data.walkM;
    return tiles ? L.latLng(at(s)).toBounds(2 * r)
                 : L.latLngBounds([[s.y - r, s.x - r], [s.y + r, s.x + r]]);
  }

  // The view first: Leaflet draws a layer only once the map has one.
  var bounds = L.latLngBounds([]);
  data.communities.forEach(function (c) { bounds.extend(ringOf(c)); });
  data.sites.forEach(function (s) { bounds.extend(circleBox(s)); });
  data.compounds.forEach(function (c) { bounds.extend(at(c)); });
  if (bounds.isValid()) {
    map.fitBounds(bounds.pad(0.05), {maxZoom: tiles ? 17 : 1});
  } else {
    map.setView([0, 0], 0);
  }

  data.communities.forEach(function (c) {
    var ring = ringOf(c);
    var shape = L.polygon(ring, {color: "#78909c", weight: 1.5, dashArray: "6 4",
                                 fillColor: "#90a4ae", fillOpacity: 0.06, interactive: false});
    shape.addTo(map);
    shape.bindTooltip(textNode(c.name || c.code), {permanent: true, direction: "center",
                                         className: "community-label"});
  });

  data.sites.forEach(function (s) {
    var circle = L.circle(at(s), {radius: data.walkM, color: "#00897b", weight: 1,
                                  fillColor: "#26a69a", fillOpacity: 0.08, interactive: false});
    circle.addTo(map);
    var icon = L.divIcon({className: "site-marker", iconSize: [12, 12]});
    var marker = L.marker(at(s), {icon: icon, title: s.name || s.code}).addTo(map);
    marker.bindPopup(popup(s.name || s.code, [
      [s.kindLabel || "党群服务阵地"],
      ["步行圈 " + data.walkM + " 米"]]));
    mark(marker, "site", s.code);
  });

  data.compounds.forEach(function (c) {
    var first = c.gaps.length ? c.gaps[0] : "";
    var marker = L.circleMarker(at(c), {radius: 8, color: "#fff", weight: 2, fillOpacity: 0.95,
                                        fillColor: colours[first]}).addTo(map);
    var lines = c.gaps.map(function (key) {
      var text = names[key];
      if (key === "service_circle" && c.nearestSiteM !== null) {
        text += "（最近阵地 " + Math.round(c.nearestSiteM) + " 米）";
      }
      return [text, "bad"];
    });
    if (!lines.length) { lines.push([names[""], "ok"]); }
    if (c.households !== null) { lines.push([c.households + " 户"]); }
    marker.bindPopup(popup(c.name || c.code, lines,
                           ["/compound/" + encodeURIComponent(c.code), "查看小区详情 →"]));
    marker.bindTooltip(textNode(c.name || c.code));
    mark(marker, "compound", c.code);
    marker.getElement().setAttribute("data-gaps", c.gaps.join(" "));
  });

  // A county or street: each place's unfinished demands as one mark with their count
  // (api/console/map.py, demandsByPlace); below that, each demand on its own.
  if (data.grouped) {
    data.demands.forEach(function (g) {
      var icon = L.divIcon({className: "demand-group-marker", iconSize: [22, 16],
                            iconAnchor: [-6, 18]});
      var marker = L.marker(at(g), {icon: icon, title: (g.name || g.place) + " " + g.count})
        .addTo(map);
      marker.getElement().textContent = String(g.count);
      marker.bindPopup(popup(g.name || g.place, g.counts.map(function (c) {
        return [(c.label || c.value) + " " + c.count + " 条"];
      }), g.compound ? ["/compound/" + encodeURIComponent(g.compound), "所在小区 →"] : null));
      mark(marker, "demand-group", g.place);
    });
    return;
  }
  var stacked = {};  // demands at one place are drawn side by side, not on each other
  data.demands.forEach(function (d) {
    var here = d.x + "," + d.y;
    var n = stacked[here] = (stacked[here] || 0) + 1;
    var icon = L.divIcon({className: "demand-marker", iconSize: [10, 10],
                          iconAnchor: [-6 - 13 * (n - 1), 14]});
    var marker = L.marker(at(d), {icon: icon, title: d.title || d.code}).addTo(map);
    marker.bindPopup(popup(d.title || d.code, [
      [(d.categoryLabel || "") + " · " + (d.statusLabel || "")],
      ["紧急程度 " + (d.urgency === null ? "—" : d.urgency)],
      ["办结时限 " + (d.due || "—")]],
      d.compound ? ["/compound/" + encodeURIComponent(d.compound), "所在小区 →"] : null));
    mark(marker, "demand", d.code);
  });
})();
