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

  var SERIES_COLOR = "#263238";
  var OVERLAY_COLOR = "#00838f";
  var INDICATOR_COLOR = "#5d4037";

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

  /* A value as the pages show it: to its series' precision (the decimals its values are
   * published with) when the chart data give one, else fewer decimals the larger it is (as
   * Formats.value). */
  function shown(value, precision) {
    if (value === null || value === undefined || isNaN(value)) return "–";
    if (typeof precision === "number") {
      return new Intl.NumberFormat(LANG, {
        minimumFractionDigits: precision,
        maximumFractionDigits: precision
      }).format(value);
    }
    var size = Math.abs(value);
    var digits = size >= 1000 ? 0 : size >= 100 ? 1 : 2;
    return new Intl.NumberFormat(LANG, { maximumFractionDigits: digits }).format(value);
  }

  /* What the tooltip needs of each charted line, by its name: unit, precision, its points
   * and colour (a line with no point at the hovered day shows its latest value before it). */
  function described(lines) {
    var meta = {};
    lines.forEach(function (line) {
      if (line && line.line) {
        meta[line.line.name] = {
          unit: line.line.unit || "",
          precision: line.line.precision,
          points: line.line.points || [],
          color: line.color
        };
      }
    });
    return meta;
  }

  /* The last point of `points` (sorted by day) on or before `day`, or null. */
  function latestBy(points, day) {
    var low = 0, high = points.length - 1, found = null;
    while (low <= high) {
      var middle = (low + high) >> 1;
      if (points[middle][0] <= day) { found = points[middle]; low = middle + 1; } else { high = middle - 1; }
    }
    return found;
  }

  function marker(color) {
    return '<span class="tip-marker" style="background-color:' + escapeHtml(color) + '"></span>';
  }

  /* The tooltip: the hovered day, then each line by its name with its value to its precision
   * and its unit; a line without a value that day (another frequency) shows its latest value
   * before it, with that value's own day. */
  function tooltip(meta) {
    var dayFormat = new Intl.DateTimeFormat(LANG, { year: "numeric", month: "short", day: "numeric" });
    function day(text) { return dayFormat.format(new Date(text)); }
    return function (items) {
      var list = (Array.isArray(items) ? items : [items]).filter(function (item) {
        return meta[item.seriesName] !== undefined;
      });
      if (!list.length) return "";
      var hovered = list[0].value[0];
      var lines = [escapeHtml(day(hovered))];
      Object.keys(meta).forEach(function (name) {
        var line = meta[name];
        var item = list.filter(function (candidate) { return candidate.seriesName === name; })[0];
        var point = item ? item.value : latestBy(line.points, hovered);
        if (!point) return;
        var text = item ? item.marker : marker(line.color);
        text += escapeHtml(name) + " <b>" + escapeHtml(shown(point[1], line.precision)) + "</b> " + escapeHtml(line.unit);
        if (!item && point[0] !== hovered) text += " (" + escapeHtml(day(point[0])) + ")";
        lines.push(text);
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

  /* A line on the grid of x axis `axis`, against y axis `yAxis` (that grid's by default). */
  function lineSeries(name, points, axis, color, yAxis) {
    return {
      type: "line",
      name: name,
      data: points,
      showSymbol: false,
      xAxisIndex: axis,
      yAxisIndex: yAxis === undefined ? axis : yAxis,
      lineStyle: { width: 1.5, color: color },
      itemStyle: { color: color }
    };
  }

  /* A series with the level bands behind it. */
  function banded(series, bands, labels) {
    series.markArea = { silent: true, label: { show: false }, data: bandAreas(bands || [], labels, false) };
    return series;
  }

  /* The indicator panel: the indicator with the level bands and the rule's threshold lines
   * (the item page's lower panel, and the material page's). */
  function indicatorSeries(data, axis, yAxis) {
    var labels = data.levels;
    var indicator = banded(lineSeries(data.indicator.name, data.indicator.points, axis, INDICATOR_COLOR, yAxis), data.bands, labels);
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
    return indicator;
  }

  /* The indicator's value axis: its values, and on each side the threshold nearest zero, so
   * that the first line a value would cross is always in sight. */
  function indicatorAxis(indicator, grid) {
    function nearest(side) {
      var values = indicator.thresholds.filter(function (line) { return line.side === side; })
        .map(function (line) { return line.value; });
      if (!values.length) return null;
      return side === "up" ? Math.min.apply(null, values) : Math.max.apply(null, values);
    }
    var up = nearest("up"), down = nearest("down");
    return {
      type: "value",
      scale: true,
      gridIndex: grid,
      name: indicator.unit,
      min: function (range) { return Math.floor(down === null ? range.min : Math.min(range.min, down)); },
      max: function (range) { return Math.ceil(up === null ? range.max : Math.max(range.max, up)); }
    };
  }

  function legend(series) {
    return { type: "scroll", top: 0, left: 64, right: 64, data: series.map(function (s) { return s.name; }) };
  }

  function itemOption(data) {
    var labels = data.levels;
    var series = [banded(lineSeries(data.series.name, data.series.points, 0, SERIES_COLOR), data.bands, labels)];
    var grids = [{ left: 64, right: 24, top: 48, bottom: data.indicator ? "50%" : 64 }];
    var xAxes = [{ type: "time", gridIndex: 0 }];
    var yAxes = [{ type: "value", scale: true, gridIndex: 0, name: data.series.unit }];
    if (data.indicator) {
      series.push(indicatorSeries(data, 1));
      grids.push({ left: 64, right: 24, top: "58%", bottom: 64 });
      xAxes.push({ type: "time", gridIndex: 1 });
      yAxes.push(indicatorAxis(data.indicator, 1));
    }
    var axes = xAxes.map(function (_axis, i) { return i; });
    return {
      animation: false,
      tooltip: { trigger: "axis", formatter: tooltip(described([
        { line: data.series, color: SERIES_COLOR },
        { line: data.indicator, color: INDICATOR_COLOR }
      ])) },
      axisPointer: { link: [{ xAxisIndex: "all" }] },
      legend: legend(series),
      grid: grids,
      xAxis: xAxes,
      yAxis: yAxes,
      dataZoom: [{ type: "inside", xAxisIndex: axes }, { type: "slider", xAxisIndex: axes, bottom: 12, height: 20 }],
      series: series
    };
  }

  /* The first and last day any of the material chart's parts reaches. */
  function extent(data) {
    var first = null, last = null;
    function reach(from, to) {
      if (!first || from < first) first = from;
      if (!last || to > last) last = to;
    }
    [data.series, data.overlay, data.indicator].forEach(function (line) {
      if (line && line.points.length) reach(line.points[0][0], line.points[line.points.length - 1][0]);
    });
    (data.timeline || []).forEach(function (span) { reach(span.from, span.to); });
    return [first, last];
  }

  /* The material page: the chosen series with the level bands (and another series of the
   * material on a right-hand axis), the indicator against its thresholds, and the level
   * strip under them. */
  function materialOption(data) {
    var labels = data.levels;
    var span = extent(data);
    var right = data.overlay ? 72 : 24;
    var series = [banded(lineSeries(data.series.name, data.series.points, 0, SERIES_COLOR), data.bands, labels)];
    var grids = [{ left: 64, right: right, top: 48, bottom: data.indicator ? 292 : 110 }];
    var xAxes = [{ type: "time", gridIndex: 0 }];
    var yAxes = [{ type: "value", scale: true, gridIndex: 0, name: data.series.unit }];
    if (data.overlay) {
      yAxes.push({ type: "value", scale: true, gridIndex: 0, position: "right", name: data.overlay.unit, splitLine: { show: false } });
      series.push(lineSeries(data.overlay.name, data.overlay.points, 0, OVERLAY_COLOR, yAxes.length - 1));
    }
    if (data.indicator) {
      grids.push({ left: 64, right: right, height: 130, bottom: 104 });
      xAxes.push({ type: "time", gridIndex: grids.length - 1 });
      yAxes.push(indicatorAxis(data.indicator, grids.length - 1));
      series.push(indicatorSeries(data, xAxes.length - 1, yAxes.length - 1));
    }
    var lines = series.slice();
    grids.push({ left: 64, right: right, height: 18, bottom: 62 });
    xAxes.push({ type: "time", gridIndex: grids.length - 1, axisLabel: { show: false }, axisTick: { show: false } });
    yAxes.push({ type: "value", gridIndex: grids.length - 1, show: false, min: -1, max: 1 });
    series.push({
      type: "line",
      name: data.labels.timeline,
      data: [[span[0], 0], [span[1], 0]],
      showSymbol: false,
      xAxisIndex: xAxes.length - 1,
      yAxisIndex: yAxes.length - 1,
      lineStyle: { opacity: 0 },
      tooltip: { show: false },
      markArea: { silent: false, data: bandAreas(data.timeline || [], labels, true), label: { show: false } }
    });
    xAxes.forEach(function (axis) { axis.min = span[0]; axis.max = span[1]; });
    var axes = xAxes.map(function (_axis, i) { return i; });
    return {
      animation: false,
      tooltip: { trigger: "axis", formatter: tooltip(described([
        { line: data.series, color: SERIES_COLOR },
        { line: data.overlay, color: OVERLAY_COLOR },
        { line: data.indicator, color: INDICATOR_COLOR }
      ])) },
      axisPointer: { link: [{ xAxisIndex: "all" }] },
      legend: legend(lines),
      grid: grids,
      xAxis: xAxes,
      yAxis: yAxes,
      dataZoom: [{ type: "inside", xAxisIndex: axes }, { type: "slider", xAxisIndex: axes, bottom: 12, height: 20 }],
      series: series
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
