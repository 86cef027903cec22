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
  var LANG = document.documentElement.lang || "zh-CN";

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* A value as the pages show it: fewer decimals the larger it is (as Formats.value). */
  function shown(value) {
    if (value === null || value === undefined || isNaN(value)) return "–";
    var size = Math.abs(value);
    var digits = size >= 1000 ? 0 : size >= 100 ? 1 : 2;
    return new Intl.NumberFormat(LANG, { maximumFractionDigits: digits }).format(value);
  }

  /* The tooltip: the date, then each series by its name with its value and unit. */
  function tooltip(units) {
    var day = new Intl.DateTimeFormat(LANG, { year: "numeric", month: "short", day: "numeric" });
    return function (items) {
      var list = Array.isArray(items) ? items : [items];
      if (!list.length) return "";
      var lines = [escapeHtml(day.format(new Date(list[0].value[0])))];
      list.forEach(function (item) {
        var unit = units[item.seriesName] || "";
        lines.push(item.marker + escapeHtml(item.seriesName) + " <b>" +
          escapeHtml(shown(item.value[1])) + "</b> " + escapeHtml(unit));
      });
      return lines.join("<br>");
    };
  }
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
    var units = {};
    units[data.series.name] = data.series.unit;
    var grids = [{ left: 64, right: 24, top: 48, bottom: data.indicator ? "50%" : 64 }];
    var xAxes = [{ type: "time", gridIndex: 0 }];
    var yAxes = [{ type: "value", scale: true, gridIndex: 0, name: data.series.unit }];
    if (data.indicator) {
      var indicator = lineSeries(data.indicator.name, data.indicator.points, 1, "#5d4037");
      units[data.indicator.name] = data.indicator.unit;
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
      yAxes.push({ type: "value", scale: true, gridIndex: 1, name: data.indicator.unit });
    }
    var axes = xAxes.map(function (_axis, i) { return i; });
    return {
      animation: false,
      tooltip: { trigger: "axis", formatter: tooltip(units) },
      axisPointer: { link: [{ xAxisIndex: "all" }] },
      legend: { type: "scroll", top: 0, left: 64, right: 24, data: series.map(function (s) { return s.name; }) },
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
    var units = {};
    units[data.series.name] = data.series.unit;
    return {
      animation: false,
      tooltip: { trigger: "axis", formatter: tooltip(units) },
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

  /* Sortable tables: a click on a header sorts by that column (again: the other way). A
   * cell's data-value, when it has one, is what sorts (numbers as numbers). */
  function sortable() {
    document.querySelectorAll("table[data-sortable]").forEach(function (table) {
      var headers = Array.prototype.slice.call(table.querySelectorAll("thead th"));
      headers.forEach(function (header, column) {
        header.tabIndex = 0;
        header.classList.add("sorts");
        function sort() {
          var up = header.getAttribute("aria-sort") !== "ascending";
          headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
          header.setAttribute("aria-sort", up ? "ascending" : "descending");
          var numeric = header.dataset.sort === "number";
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          function key(row) {
            var cell = row.cells[column];
            var value = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
            if (!numeric) return value;
            return value === "" ? -Infinity : parseFloat(value);
          }
          rows.sort(function (a, b) {
            var x = key(a), y = key(b);
            var order = numeric ? x - y : String(x).localeCompare(String(y), LANG);
            return up ? order : -order;
          });
          rows.forEach(function (row) { body.appendChild(row); });
        }
        header.addEventListener("click", sort);
        header.addEventListener("keydown", function (event) {
          if (event.key === "Enter") { sort(); event.preventDefault(); }
        });
      });
    });
  }

  function start() {
    sortable();
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
