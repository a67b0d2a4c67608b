/// The version `crm --version` and the man page show.
let crmVersion = "0.1.0"
