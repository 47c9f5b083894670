// Replay a Talks on either clock, and follow it live. The server renders the panel; this only
// asks for it again when the slider, the date or the log moves.
(function () {
  "use strict";
  const root = document.querySelector("[data-talks-id]");
  if (!root) return;
  const id = root.dataset.talksId;
  const marks = {
    occurred: JSON.parse(root.dataset.marksOccurred),
    recorded: JSON.parse(root.dataset.marksRecorded),
  };
  const slider = document.getElementById("replay-slider");
  const output = document.getElementById("replay-value");
  const picker = document.getElementById("replay-date");
  const panel = document.getElementById("panel");
  const live = document.getElementById("live");
  const form = document.getElementById("replay");
  const exportPoint = document.getElementById("export-point");
  // Replay and live updates need this script: without it the form stays hidden (a notice says so).
  form.hidden = false;
  form.addEventListener("submit", (event) => event.preventDefault());
  let clock = "occurred";
  let point = null; // null: now
  let pending = null;

  function label(value) {
    return value === null ? "now" : clock === "occurred" ? value : value.replace("T", " ").replace("Z", " UTC");
  }

  async function load(position) {
    // After a live event, ask for views that include it (min_position), not whatever they hold.
    const query = point === null ? "" : (clock === "occurred" ? "?at=" : "?as_of=") + encodeURIComponent(point);
    const asked = query;
    const wait = position === undefined ? "" : (query ? "&" : "?") + "min_position=" + position;
    const response = await fetch("/talks/" + id + "/panel" + query + wait, { headers: { Accept: "text/html" } });
    if (!response.ok || asked !== currentQuery()) return; // a later move superseded this one
    panel.innerHTML = await response.text();
    panel.dataset.point = label(point);
    updateExports();
  }

  // The export links download at the page's clocks: the replay's point, or now.
  function updateExports() {
    const param = point === null ? "" : (clock === "occurred" ? "&at=" : "&as_of=") + encodeURIComponent(point);
    document.querySelectorAll("a[data-format]").forEach((link) => {
      link.href = "/talks/" + id + "/export?format=" + link.dataset.format + param;
    });
    if (exportPoint) exportPoint.textContent = point === null ? "now" : (clock === "occurred" ? "at " : "as of ") + label(point);
  }

  function currentQuery() {
    return point === null ? "" : (clock === "occurred" ? "?at=" : "?as_of=") + encodeURIComponent(point);
  }

  function moveTo(index) {
    const list = marks[clock];
    point = index >= list.length ? null : list[index];
    output.textContent = label(point);
    slider.setAttribute("aria-valuetext", label(point));
    clearTimeout(pending);
    pending = setTimeout(load, 120);
  }

  function resetSlider() {
    slider.max = String(marks[clock].length);
    slider.value = slider.max;
    picker.type = clock === "occurred" ? "date" : "datetime-local";
    moveTo(marks[clock].length);
  }

  slider.addEventListener("input", () => moveTo(Number(slider.value)));
  document.querySelectorAll("input[name=clock]").forEach((radio) =>
    radio.addEventListener("change", () => { clock = radio.value; resetSlider(); }));
  picker.addEventListener("change", () => {
    if (!picker.value) return;
    point = clock === "occurred" ? picker.value : new Date(picker.value).toISOString();
    output.textContent = label(point);
    load();
  });
  // The form only holds controls: never submit it (no inline handler: the CSP allows none).
  root.querySelector("form.replay").addEventListener("submit", (event) => event.preventDefault());
  document.getElementById("replay-now").addEventListener("click", () => { picker.value = ""; resetSlider(); });

  if (window.EventSource) {
    const stream = new EventSource("/events/stream?talks_id=" + encodeURIComponent(id));
    stream.addEventListener("event", (message) => {
      const event = JSON.parse(message.data);
      marks.recorded.push(event.recorded_at);
      const day = event.occurred && event.occurred.value ? event.occurred.value.slice(0, 10) : null;
      if (day && !marks.occurred.includes(day)) { marks.occurred.push(day); marks.occurred.sort(); }
      const atNow = point === null;
      slider.max = String(marks[clock].length);
      if (atNow) { slider.value = slider.max; load(event.position); }
      live.textContent = "New: " + event.type + (atNow ? "" : " (move the slider to now to see it)");
    });
    stream.onerror = () => { live.textContent = "Live updates paused; reconnecting…"; };
    stream.onopen = () => { live.textContent = "Live: updates appear as they are recorded."; };
  }
})();
