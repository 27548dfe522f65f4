// akhbar's only script; every page works without it.
// The ticker's pause button (moving content needs one: WCAG 2.2.2). Without JavaScript the ticker
// still pauses on hover and on keyboard focus.
document.querySelectorAll(".ticker").forEach((ticker) => {
  const button = ticker.querySelector("button.ticker-toggle");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    const paused = ticker.classList.toggle("paused");
    button.setAttribute("aria-pressed", String(paused));
  });
});

// The breaking bar can be hidden; it stays hidden for this tab until the flagged items change.
document.querySelectorAll(".breaking").forEach((bar) => {
  const button = bar.querySelector("button.breaking-close");
  const items = bar.dataset.items || "";
  let hidden = "";
  try { hidden = sessionStorage.getItem("akhbar-breaking-hidden") || ""; } catch (e) { hidden = ""; }
  if (hidden === items) { bar.hidden = true; return; }
  // Several flags take turns on the one line, every 6 seconds, except while pointed at or focused.
  const entries = Array.from(bar.querySelectorAll(".breaking-items li"));
  let current = 0;
  let held = false;
  const show = () => entries.forEach((li, i) => { li.hidden = i !== current; });
  if (entries.length > 1) {
    show();
    bar.addEventListener("mouseenter", () => { held = true; });
    bar.addEventListener("mouseleave", () => { held = false; });
    bar.addEventListener("focusin", () => { held = true; entries.forEach((li) => { li.hidden = false; }); });
    bar.addEventListener("focusout", () => { held = false; show(); });
    setInterval(() => {
      if (held) return;
      current = (current + 1) % entries.length;
      show();
    }, 6000);
  }
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    bar.hidden = true;
    try { sessionStorage.setItem("akhbar-breaking-hidden", items); } catch (e) { /* private mode */ }
  });
});
