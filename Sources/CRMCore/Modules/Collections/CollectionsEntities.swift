/// The entities of contracts and collections (销售签约、合约回款): a sales contract from a
/// won deal, its payment plan (instalments) and the receipts applied to it.
///
/// Named `sales_contract` so that a plugin keeping its own `contract` (real estate) loads
/// beside it.
public enum CollectionsEntities {
    public static let salesContract = EntityDefinition(
        name: "sales_contract", label: "销售合同 Sales contract",
        fields: [
            FieldDefinition("deal", .reference("deal"), label: "Deal", required: true,
                            help: "the won deal the contract comes from"),
            FieldDefinition("customer", .reference("customer"), label: "Customer", required: true,
                            help: "the deal's customer (filled in from the deal when not given)"),
            FieldDefinition("title", .text, label: "Title", required: true, maxLength: 300),
            FieldDefinition("value", .money, label: "Contract value", required: true, min: "0"),
            FieldDefinition("signed", .date, label: "Signed on"),
            FieldDefinition("owner", .reference("user"), label: "Owner",
                            help: "who collects the payments (the deal's owner when not given)"),
            FieldDefinition("status", .enumeration(["draft", "signed", "completed", "cancelled"]), label: "Status",
                            required: true, defaultText: "draft",
                            help: "signed checks that the instalments sum to the value; receipts only on signed contracts"),
            FieldDefinition("notes", .text, label: "Notes"),
        ],
        indexes: [IndexDefinition(["customer"]), IndexDefinition(["deal"]), IndexDefinition(["owner"]),
                  IndexDefinition(["status"])],
        titleField: "title",
        listFields: ["id", "title", "customer", "value", "signed", "owner", "status"])

    public static let instalment = EntityDefinition(
        name: "instalment", label: "付款计划 Instalment",
        fields: [
            FieldDefinition("contract", .reference("sales_contract"), label: "Contract", required: true),
            FieldDefinition("due", .date, label: "Due", required: true),
            FieldDefinition("amount", .money, label: "Amount", required: true, min: "0.01"),
            FieldDefinition("notes", .text, label: "Notes", maxLength: 500),
        ],
        indexes: [IndexDefinition(["contract", "due"])],
        listFields: ["id", "contract", "due", "amount"])

    public static let receipt = EntityDefinition(
        name: "receipt", label: "回款 Receipt",
        fields: [
            FieldDefinition("contract", .reference("sales_contract"), label: "Contract", required: true),
            FieldDefinition("instalment", .reference("instalment"), label: "Instalment",
                            help: "the instalment it pays; without one it pays the oldest instalments first"),
            FieldDefinition("amount", .money, label: "Amount", required: true, min: "0.01"),
            FieldDefinition("received", .date, label: "Received on", required: true, defaultText: "today"),
            FieldDefinition("method", .enumeration(["transfer", "cash", "cheque", "card", "other"]), label: "Method",
                            required: true, defaultText: "transfer"),
            FieldDefinition("reference", .text, label: "Bank or finance reference", maxLength: 100),
        ],
        indexes: [IndexDefinition(["contract", "received"]), IndexDefinition(["instalment"])],
        listFields: ["id", "contract", "instalment", "amount", "received", "method", "reference"])

    /// Referenced entities first.
    public static let all = [salesContract, instalment, receipt]
}
