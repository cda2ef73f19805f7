// 网络 page: draws the chosen community's co-operation network (ECharts graph series)
// from the JSON the server put in the page; the server decided what may be shown.
(function () {
  "use strict";
  function draw() {
    var box = document.getElementById("network-chart");
    var data = window.jinlin.data("network-data");
    if (!box || !data || !data.nodes.length) { return; }
    var cut = {};
    (window.jinlin.data("network-cut") || []).forEach(function (id) { cut[id] = true; });
    var chart = window.echarts.init(box);
    var nodes = data.nodes.map(function (n) {
      var node = {id: n.id, name: n.name, value: n.id, category: n.category,
                  symbolSize: 10 + Math.min(n.degree, 10) * 3};
      if (cut[n.id]) { node.itemStyle = {borderColor: "#c0392b", borderWidth: 3}; }
      return node;
    });
    chart.setOption({
      tooltip: {formatter: function (p) {
        var esc = window.echarts.format.encodeHTML;  // names come from ledgers: text only
        if (p.dataType === "edge") {
          return esc(p.data.type + (p.data.role ? "（" + p.data.role + "）" : ""));
        }
        return esc(p.data.name) + "<br>" + esc(p.data.value);
      }},
      legend: [{data: data.categories, top: 0}],
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true,
        categories: data.categories.map(function (c) { return {name: c}; }),
        data: nodes, links: data.links,
        label: {show: true, position: "right", fontSize: 11},
        force: {repulsion: 160, edgeLength: 70},
        lineStyle: {color: "source", opacity: 0.6},
        emphasis: {focus: "adjacency"}
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
