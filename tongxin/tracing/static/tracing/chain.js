// The transmission chain (Apache ECharts, vendored): cases, 密接 and 次密接 as a force graph.
// The same links are listed under the chart for anyone who cannot use the picture.
"use strict";
(() => {
  const el = document.getElementById("chain");
  const data = JSON.parse(document.getElementById("chain-data").textContent);
  if (!el || !window.echarts) return;
  const en = document.documentElement.lang.startsWith("en");
  const names = en ? ["Case", "Close contact", "Secondary contact"] : ["病例", "密接", "次密接"];
  const dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  const chart = echarts.init(el, dark ? "dark" : null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    color: ["#c62828", "#ef6c00", "#f9a825"],
    tooltip: { formatter: (p) => (p.dataType === "node" ? p.data.name : "") },
    legend: [{ data: names, top: 0 }],
    series: [
      {
        type: "graph",
        layout: "force",
        roam: true,
        draggable: true,
        top: 32,
        label: { show: true, position: "right", formatter: (p) => (p.data.category === 0 ? p.data.name : "") },
        force: { repulsion: 90, edgeLength: [30, 80], gravity: 0.08 },
        categories: names.map((name) => ({ name })),
        data: data.nodes,
        links: data.links,
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: 6,
        lineStyle: { opacity: 0.6 },
      },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();
