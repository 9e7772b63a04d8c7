// Coverage charts (Apache ECharts, vendored): progress per area and samples per point per hour.
// The page shows the same figures as tables; the charts only add a picture of them. The
// figures refresh themselves every 30 s (htmx swaps #coverage-figures): drawn again then.
"use strict";
(() => {
  let charts = [];
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  const draw = () => {
    const source = document.getElementById("coverage-data");
    if (!source || !window.echarts) return;
    charts.forEach((c) => c.dispose());
    charts = [];
    const data = JSON.parse(source.textContent);
    const dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
    const theme = dark ? "dark" : null;
    const labels = document.documentElement.lang.startsWith("en")
      ? { sampled: "Sampled", untested: "Untested", samples: "Samples" }
      : { sampled: "已采样", untested: "应检未检", samples: "采样量" };

    const areas = document.getElementById("chart-areas");
    if (areas && data.children.length) {
      const chart = echarts.init(areas, theme, { renderer: "svg" });
      chart.setOption({
        animation: false,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0 },
        grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
        xAxis: { type: "value" },
        yAxis: { type: "category", inverse: true, data: data.children.map((c) => c.name) },
        series: [
          { name: labels.sampled, type: "bar", stack: "all", data: data.children.map((c) => c.sampled), itemStyle: { color: "#2e7d32" } },
          { name: labels.untested, type: "bar", stack: "all", data: data.children.map((c) => c.untested), itemStyle: { color: "#c62828" } },
        ],
      });
      areas.style.height = Math.max(160, 28 * data.children.length + 60) + "px";
      chart.resize();
      charts.push(chart);
    }

    const points = document.getElementById("chart-points");
    if (points && data.points.length) {
      const hours = [...new Set(data.points.flatMap((p) => p.hours.map((h) => h.hour)))].sort();
      const chart = echarts.init(points, theme, { renderer: "svg" });
      chart.setOption({
        animation: false,
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", top: 0 },
        grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: hours.map((h) => h.slice(5, 13).replace("T", " ") + ":00") },
        yAxis: { type: "value", name: labels.samples },
        series: data.points.map((p) => {
          const byHour = new Map(p.hours.map((h) => [h.hour, h.samples]));
          return { name: p.name, type: "line", smooth: true, data: hours.map((h) => byHour.get(h) || 0) };
        }),
      });
      charts.push(chart);
    }
  };
  draw();
  document.body.addEventListener("htmx:afterSettle", (event) => {
    if (event.target && event.target.id === "coverage-figures") draw();
  });
})();
