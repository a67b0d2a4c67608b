-- The credit officer (信贷员 / 审贷岗): reviews and books every borrower's loans, so sees
-- all customers, and sees the ID numbers and loan balances a credit decision rests on;
-- phones, emails and birthdays stay masked, as do deposit balances. Books loans and their
-- schedules and repayments, records the five-category classification; may not delete
-- customers or import, and exports only the loan book.
-- An admin gives it: grant 陈明 role credit_officer (docs/banking.md, docs/access.md).
crm.role "credit_officer" {
  summary = "every borrower's loans: books and classifies them; sees ID numbers and loan balances",
  sees = "all",
  private = { "customer.id_number", "customer.loan_balance" },
  rights = {
    ["*"] = { "read" },
    loan = { "read", "create", "update", "export" },
    schedule = "change",
    repayment = { "read", "create", "update" },
    class_change = { "read", "create" },
    class_run = { "read", "create" },
    interaction = "change",
    task = "change",
  },
}
