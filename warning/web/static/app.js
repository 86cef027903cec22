/* The pages' behaviour: keyboard work of the queue and the item page, filters that apply on
 * change, and the charts (Apache ECharts, served from /static). No inline script anywhere:
 * the pages' Content-Security-Policy allows scripts from this origin only. */
(function () {
  "use strict";

  var COLORS = {
    red: "#c62828",
    yellow: "#d99a00",
    blue: "#1f63c6",
    normal: "#3a8f55",
    no_data: "#9aa0a6"
  };
  var BANDS = {
    red: "rgba(198, 40, 40, 0.16)",
    yellow: "rgba(217, 154, 0, 0.18)",
    blue: "rgba(31, 99, 198, 0.13)",
    normal: "rgba(58, 143, 85, 0.10)",
    no_data: "rgba(154, 160, 166, 0.22)"
  };

  function typing(element) {
    if (!element) return false;
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  /* Filters: a changed select submits its form. */
  function autosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  /* The queue: j / k move the selection, Enter opens the selected item. */
  function queueKeys() {
    var table = document.getElementById("queue");
    if (!table) return null;
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    var index = 0;
    function select(next) {
      if (!rows.length) return;
      index = Math.max(0, Math.min(rows.length - 1, next));
      rows.forEach(function (row, i) {
        row.classList.toggle("selected", i === index);
        row.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      rows[index].scrollIntoView({ block: "nearest" });
    }
    rows.forEach(function (row, i) {
      row.addEventListener("click", function (event) {
        if (event.target.tagName !== "A") { select(i); }
      });
      row.addEventListener("dblclick", function () { window.location.assign(row.dataset.href); });
    });
    select(0);
    return function (event) {
      if (event.key === "j") { select(index + 1); return true; }
      if (event.key === "k") { select(index - 1); return true; }
      if (event.key === "Enter" && rows.length) { window.location.assign(rows[index].dataset.href); return true; }
      return false;
    };
  }

  /* The item page: a, r, e, s go to the approve, reject, adjust and snooze forms. */
  function itemKeys() {
    var forms = document.querySelectorAll("form[data-key]");
    if (!forms.length) return null;
    return function (event) {
      if (event.key === "q") { window.location.assign("/queue"); return true; }
      var form = document.querySelector('form[data-key="' + event.key + '"]');
      if (!form) return false;
      var field = form.querySelector("input:not([type=hidden]), select, textarea");
      form.scrollIntoView({ block: "nearest" });
      form.classList.add("active");
      if (field) { field.focus(); }
      return true;
    };
  }

  function keyboard() {
    var handlers = [queueKeys(), itemKeys()].filter(Boolean);
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "Escape" && typing(document.activeElement)) {
        document.activeElement.blur();
        return;
      }
      if (typing(event.target)) return;
      for (var i = 0; i < handlers.length; i++) {
        if (handlers[i](event)) { event.preventDefault(); return; }
      }
    });
  }

  /* Charts */
  function bandAreas(bands, labels, opaque) {
    return bands.map(function (band) {
      return [
        {
          xAxis: band.from,
          name: labels[band.level] || band.level,
          itemStyle: { color: opaque ? COLORS[band.level] : BANDS[band.level] }
        },
        { xAxis: band.to }
      ];
    });
  }

  function lineSeries(name, points, axis, color) {
    return {
      type: "line",
      name: name,
      data: points,
      showSymbol: false,
      xAxisIndex: axis,
      yAxisIndex: axis,
      lineStyle: { width: 1.5, color: color },
      itemStyle: { color: color }
    };
  }

  function itemOption(data) {
    var labels = data.levels;
    var series = [lineSeries(data.series.name, data.series.points, 0, "#263238")];
    series[0].markArea = { silent: true, label: { show: false }, data: bandAreas(data.bands, labels, false) };
    var grids = [{ left: 64, right: 24, top: 36, bottom: data.indicator ? "50%" : 64 }];
    var xAxes = [{ type: "time", gridIndex: 0 }];
    var yAxes = [{ type: "value", scale: true, gridIndex: 0, name: data.series.unit }];
    if (data.indicator) {
      var unit = data.indicator.unit ? " (" + data.indicator.unit + ")" : "";
      var indicator = lineSeries(data.indicator.name + unit, data.indicator.points, 1, "#5d4037");
      indicator.markArea = { silent: true, label: { show: false }, data: bandAreas(data.bands, labels, false) };
      indicator.markLine = {
        symbol: "none",
        silent: true,
        data: data.indicator.thresholds.map(function (line) {
          return {
            yAxis: line.value,
            lineStyle: { color: COLORS[line.level], type: "dashed", width: 1.5 },
            label: { formatter: (labels[line.level] || line.level) + " " + line.value + data.indicator.unit, position: "insideEndTop" }
          };
        })
      };
      series.push(indicator);
      grids.push({ left: 64, right: 24, top: "58%", bottom: 64 });
      xAxes.push({ type: "time", gridIndex: 1 });
      yAxes.push({ type: "value", scale: true, gridIndex: 1 });
    }
    var axes = xAxes.map(function (_axis, i) { return i; });
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      axisPointer: { link: [{ xAxisIndex: "all" }] },
      legend: { top: 0, data: series.map(function (s) { return s.name; }) },
      grid: grids,
      xAxis: xAxes,
      yAxis: yAxes,
      dataZoom: [{ type: "inside", xAxisIndex: axes }, { type: "slider", xAxisIndex: axes, bottom: 12, height: 20 }],
      series: series
    };
  }

  function materialOption(data) {
    var labels = data.levels;
    var points = data.series.points;
    var timeline = data.timeline || [];
    var first = points.length ? points[0][0] : null;
    var last = points.length ? points[points.length - 1][0] : null;
    timeline.forEach(function (span) {
      if (!first || span.from < first) first = span.from;
      if (!last || span.to > last) last = span.to;
    });
    var price = lineSeries(data.series.name, points, 0, "#263238");
    var strip = {
      type: "line",
      name: data.labels.timeline,
      data: [[first, 0], [last, 0]],
      showSymbol: false,
      xAxisIndex: 1,
      yAxisIndex: 1,
      lineStyle: { opacity: 0 },
      tooltip: { show: false },
      markArea: { silent: false, data: bandAreas(timeline, labels, true), label: { show: false } }
    };
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      axisPointer: { link: [{ xAxisIndex: "all" }] },
      grid: [
        { left: 64, right: 24, top: 24, bottom: 110 },
        { left: 64, right: 24, height: 18, bottom: 62 }
      ],
      xAxis: [
        { type: "time", gridIndex: 0, min: first, max: last },
        { type: "time", gridIndex: 1, min: first, max: last, axisLabel: { show: false }, axisTick: { show: false } }
      ],
      yAxis: [
        { type: "value", scale: true, gridIndex: 0, name: data.series.unit },
        { type: "value", gridIndex: 1, show: false, min: -1, max: 1 }
      ],
      dataZoom: [{ type: "inside", xAxisIndex: [0, 1] }, { type: "slider", xAxisIndex: [0, 1], bottom: 12, height: 20 }],
      series: [price, strip]
    };
  }

  function charts() {
    var holders = document.querySelectorAll("[data-chart]");
    if (!holders.length || typeof window.echarts === "undefined") return;
    var locale = document.documentElement.lang.indexOf("zh") === 0 ? "ZH" : "EN";
    var made = [];
    holders.forEach(function (holder) {
      var source = document.getElementById(holder.dataset.source);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var chart = window.echarts.init(holder, null, { locale: locale, renderer: "canvas" });
      chart.setOption(holder.dataset.chart === "item" ? itemOption(data) : materialOption(data));
      holder.classList.add("drawn");
      made.push(chart);
    });
    window.addEventListener("resize", function () {
      made.forEach(function (chart) { chart.resize(); });
    });
  }

  function start() {
    autosubmit();
    keyboard();
    charts();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
