/*
 * portico-charts.js: draws a container's resource history on its stats page with uPlot
 * (static/uplot-*.iife.min.js): CPU %, memory and network rates, refreshed at the sampling
 * interval while the page is visible. Without JavaScript the page's table shows the same points.
 */
(function () {
  'use strict';
  var box = document.querySelector('[data-history-url]');
  if (!box || !window.uPlot) return;
  var url = box.getAttribute('data-history-url');
  var every = (Number(box.getAttribute('data-poll-seconds')) || 5) * 1000;
  var charts = {};
  var MiB = 1024 * 1024;

  function size() { return { width: Math.max(240, Math.min(box.clientWidth - 8, 720)), height: 160 }; }

  function make(name, series, data, yFmt) {
    var fig = box.querySelector('[data-chart="' + name + '"]');
    var opts = {
      width: size().width, height: size().height,
      series: [{}].concat(series),
      axes: [{}, { values: function (u, vals) { return vals.map(yFmt); }, size: 64 }],
      scales: { x: { time: true } },
    };
    return new window.uPlot(opts, data, fig);
  }

  function draw(points) {
    var t = points.map(function (p) { return Date.parse(p.t) / 1000; });
    var cpu = [t, points.map(function (p) { return p.cpu_percent; })];
    var mem = [t, points.map(function (p) { return p.memory_bytes / MiB; })];
    var net = [t, points.map(function (p) { return p.net_rx_rate === null ? null : p.net_rx_rate / 1000; }),
      points.map(function (p) { return p.net_tx_rate === null ? null : p.net_tx_rate / 1000; })];
    box.setAttribute('data-points', String(points.length));
    if (!charts.cpu) {
      charts.cpu = make('cpu', [{ label: 'CPU %', stroke: '#1565c0', width: 2 }], cpu, function (v) { return v + ' %'; });
      charts.memory = make('memory', [{ label: 'Memory (MiB)', stroke: '#6a1b9a', width: 2 }], mem, function (v) { return v + ' MiB'; });
      charts.network = make('network', [{ label: 'In (kB/s)', stroke: '#2e7d32', width: 2 }, { label: 'Out (kB/s)', stroke: '#ef6c00', width: 2 }], net, function (v) { return v + ' kB/s'; });
      return;
    }
    charts.cpu.setData(cpu);
    charts.memory.setData(mem);
    charts.network.setData(net);
  }

  function load() {
    if (document.visibilityState === 'hidden') return;
    fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body) draw(body.points); })
      .catch(function () {});
  }

  load();
  setInterval(load, every);
  document.addEventListener('visibilitychange', load);
  window.addEventListener('resize', function () {
    var s = size();
    Object.keys(charts).forEach(function (k) { charts[k].setSize(s); });
  });
})();
