// The history viewer's only script: dates in the viewer's time zone (UTC on hover), and the
// date-time inputs read in that zone. Without it, pages show and read UTC.
(function () {
  "use strict";
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
  var shown = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "short", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
    timeZoneName: "short"
  });
  function pad(n) { return String(n).padStart(2, "0"); }
  function inputValue(d) {
    return String(d.getFullYear()).padStart(4, "0") + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }
  document.querySelectorAll("time[datetime]").forEach(function (t) {
    var d = new Date(t.getAttribute("datetime"));
    if (!isNaN(d)) {
      t.textContent = shown.format(d);
      t.setAttribute("data-zone", zone);
    }
  });
  document.querySelectorAll("[data-tz]").forEach(function (el) {
    el.textContent = "your time zone (" + zone + ")";
  });
  // The UTC of a time, spoken too.
  document.querySelectorAll("time[title]").forEach(function (t) {
    t.setAttribute("aria-label", t.textContent + " (" + t.getAttribute("title") + ")");
  });
  document.querySelectorAll("input[data-utc]").forEach(function (input) {
    var utc = input.getAttribute("data-utc-value");
    if (utc) {
      var d = new Date(utc);
      // Shown in the viewer's zone; a value the browser cannot read is cleared rather than
      // read later in the wrong zone.
      input.value = isNaN(d) ? "" : inputValue(d);
    }
    input.setAttribute("title", "in " + zone);
  });
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input[data-utc]").forEach(function (input) {
        var hidden = form.elements.namedItem(input.getAttribute("data-utc"));
        if (!hidden) return;
        var d = input.value ? new Date(input.value) : null;
        if (d && !isNaN(d) && input.hasAttribute("data-end")) {
          // A "to" date is the end of the minute or second it shows.
          d = new Date(d.getTime() + (input.value.length > 16 ? 999 : 59999));
          hidden.value = d.toISOString().replace(/Z$/, "999Z");
        } else {
          hidden.value = d && !isNaN(d) ? d.toISOString() : "";
        }
        // The moment goes in UTC; the local value is not sent.
        input.removeAttribute("name");
      });
    });
  });
})();
