// The trends page's charts, drawn by uPlot from the numbers the page carries (#trend-data).
"use strict";
(() => {
  const PALETTE = ["#0b5cad", "#c77c02", "#1b6e20", "#a4161a", "#6a3d9a", "#00838f", "#8d6e63", "#d81b60", "#455a64", "#7cb342"];

  function draw(target, days, series, percent) {
    const names = Object.keys(series);
    if (!target || names.length === 0) {
      return;
    }
    const data = [days, ...names.map((name) => series[name])];
    const options = {
      title: target.dataset.label,
      width: Math.max(target.clientWidth - 16, 320),
      height: 280,
      series: [{}, ...names.map((name, index) => ({
        label: name,
        stroke: PALETTE[index % PALETTE.length],
        width: 2,
        points: { show: true, size: 5 },
      }))],
      axes: [{}, { size: 50 }],
      scales: percent ? { y: { range: [0, 100] } } : {},
    };
    new uPlot(options, data, target);
  }

  function drawAll() {
    const source = document.getElementById("trend-data");
    if (!source) {
      return;
    }
    const chart = JSON.parse(source.textContent);
    draw(document.getElementById("per-watch"), chart.days, chart.watches, false);
    draw(document.getElementById("outlet-share"), chart.days, chart.shares, true);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
