// Reconnect banner driven by the events the bundled (.NET 9) blazor.web.js raises: it adds
// components-reconnect-show / -hide / -failed / -rejected classes to an element with id components-reconnect-modal.
// We provide that element ourselves (hidden by default) so the circuit's state is visible without the default modal.
(() => {
  const observe = () => {
    const banner = document.getElementById('di-reconnect');
    if (!banner || banner.dataset.bound) return;
    banner.dataset.bound = '1';
    banner.id = 'components-reconnect-modal';
    new MutationObserver(() => {
      const c = banner.classList;
      const down = c.contains('components-reconnect-show') || c.contains('components-reconnect-failed') || c.contains('components-reconnect-rejected');
      banner.hidden = !down;
      banner.textContent = c.contains('components-reconnect-rejected') || c.contains('components-reconnect-failed')
        ? 'Connection lost. Reload the page to continue.'
        : 'Connection lost — reconnecting…';
    }).observe(banner, { attributes: true, attributeFilter: ['class'] });
  };
  document.addEventListener('DOMContentLoaded', observe);
  observe();
})();
