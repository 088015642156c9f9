//! Building blocks of the modes: each a small `#[component]` taking signals down and
//! callbacks up.

pub mod add_method;
pub mod bank_form;
pub mod card_form;
pub mod error_banner;
pub mod fee_summary;
pub mod method_list;
pub mod receipt;
pub mod status;
pub mod text_field;
