// Tells the bench once the first frame is on screen (the same wait Paddock's page uses).
requestAnimationFrame(() =>
  setTimeout(() => fetch(`bench://localhost/painted?at=${Math.round(performance.now())}`, { mode: 'no-cors' }).catch(() => {}), 0),
);
