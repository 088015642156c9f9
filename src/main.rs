//! Entry point Trunk builds: mounts the widget on the page's body.

fn main() {
    checkout_widget::start();
}
