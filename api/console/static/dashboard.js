// 概览: the per-child bar chart of one indicator (data: #chart-data, worst first, sorted
// on the server); choosing another indicator redraws, clicking a bar opens that child's 概览.
(function () {
  "use strict";
  var box = document.getElementById("child-chart");
  var select = document.getElementById("child-indicator");
  if (!box || !select || !window.echarts) { return; }
  var series = window.jinlin.data("chart-data").series;
  var chart = window.echarts.init(box);
  var shown = null;

  function draw(key) {
    shown = series.filter(function (s) { return s.key === key; })[0] || series[0];
    var kids = shown.children;
    box.style.height = Math.max(200, 60 + kids.length * 34) + "px";
    chart.resize();
    chart.setOption({
      animation: false,
      grid: {left: 10, right: 70, top: 10, bottom: 20, containLabel: true},
      tooltip: {trigger: "item", formatter: function (p) {
        var kid = kids[p.dataIndex];
        // ECharts puts the tooltip in as HTML; names come from ledgers
        return window.echarts.format.encodeHTML(kid.name + "：" +
          (kid.ratio === null ? "无数据" : kid.ratio + "%") + "（" + kid.fraction + "）");
      }},
      xAxis: {type: "value", max: 100, axisLabel: {formatter: "{value}%"}},
      yAxis: {type: "category", inverse: true, data: kids.map(function (k) { return k.name; })},
      series: [{type: "bar", barMaxWidth: 24,
        itemStyle: {color: shown.lower ? "#e67e22" : "#c0392b"},
        label: {show: true, position: "right", formatter: function (p) {
          return kids[p.dataIndex].ratio === null ? "—" : kids[p.dataIndex].ratio + "%";
        }},
        data: kids.map(function (k) { return k.ratio === null ? 0 : k.ratio; })}]
    }, true);
  }
  chart.on("click", function (p) { window.location.href = shown.children[p.dataIndex].href; });
  select.addEventListener("change", function () { draw(select.value); });
  window.addEventListener("resize", function () { chart.resize(); });
  draw(select.value);
})();
