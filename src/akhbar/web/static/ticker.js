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
