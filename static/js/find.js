// The public directory's one enhancement: a "Print" button (no inline scripts: the Content-Security-Policy
// forbids them). Without JavaScript the browser's own Print prints the same page.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});
