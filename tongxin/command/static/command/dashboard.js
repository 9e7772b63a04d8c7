// Trends on the command dashboard: one request for both charts, drawn with the vendored ECharts.
(function () {
  "use strict";
  function draw(node, block) {
    if (!window.echarts || !node || !block) return;
    var chart = window.echarts.init(node);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 48, right: 16, top: 40, bottom: 28 },
      xAxis: { type: "category", data: block.x },
      yAxis: { type: "value" },
      series: block.series.map(function (s) {
        return { name: s.name, type: "line", data: s.data, showSymbol: block.x.length < 40 };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function load(attempt) {
    var day = document.getElementById("chart-day");
    if (!day) return;
    fetch(day.dataset.trends, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; })
      .then(function (data) {
        if (!data) {
          // A busy server may fail one request: try again a little later, a few times.
          if ((attempt || 0) < 3) window.setTimeout(function () { load((attempt || 0) + 1); }, 1500);
          return;
        }
        draw(day, data.per_day);
        draw(document.getElementById("chart-hour"), data.per_hour);
        day.dataset.loaded = "1";
      });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { load(0); });
  else load(0);
})();
