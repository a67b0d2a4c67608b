/// The entities of purchasing (采购管理), kept light: purchase orders to suppliers with
/// lines, against a sales contract or a deal.
///
/// A supplier is a customer of kind `supplier` (the core customer kinds are person,
/// organisation and supplier), so suppliers have contacts, interactions and history
/// like every customer.
public enum PurchasingEntities {
    public static let purchaseOrder = EntityDefinition(
        name: "purchase_order", label: "采购单 Purchase order",
        fields: [
            FieldDefinition("supplier", .reference("customer"), label: "Supplier", required: true,
                            help: "a customer of kind supplier"),
            FieldDefinition("contract", .reference("sales_contract"), label: "For contract"),
            FieldDefinition("deal", .reference("deal"), label: "For deal",
                            help: "the deal it is for (the contract's deal is filled in when a contract is given)"),
            FieldDefinition("customer", .reference("customer"), label: "For customer",
                            help: "the customer of the contract or deal (filled in)"),
            FieldDefinition("title", .text, label: "Title", required: true, maxLength: 300),
            FieldDefinition("status", .enumeration(["draft", "ordered", "received", "paid"]), label: "Status",
                            required: true, defaultText: "draft", help: "draft → ordered → received → paid, forward only"),
            FieldDefinition("total", .money, label: "Total", help: "the sum of its lines (kept by the system)"),
            FieldDefinition("ordered", .date, label: "Ordered on"),
            FieldDefinition("received", .date, label: "Received on"),
            FieldDefinition("paid", .date, label: "Paid on"),
            FieldDefinition("owner", .reference("user"), label: "Buyer"),
        ],
        indexes: [IndexDefinition(["supplier"]), IndexDefinition(["contract"]), IndexDefinition(["deal"]),
                  IndexDefinition(["customer"])],
        titleField: "title",
        listFields: ["id", "title", "supplier", "contract", "deal", "status", "total", "ordered"])

    public static let purchaseLine = EntityDefinition(
        name: "purchase_line", label: "采购明细 Purchase line",
        fields: [
            FieldDefinition("purchase_order", .reference("purchase_order"), label: "Order", required: true),
            FieldDefinition("item", .text, label: "Item", required: true, maxLength: 300),
            FieldDefinition("quantity", .decimal(scale: 3), label: "Quantity", required: true, min: "0.001"),
            FieldDefinition("unit_price", .money, label: "Unit price", required: true, min: "0"),
            FieldDefinition("amount", .money, label: "Amount", help: "quantity × unit price, rounded to the cent (kept by the system)"),
        ],
        indexes: [IndexDefinition(["purchase_order"])],
        titleField: "item",
        listFields: ["id", "purchase_order", "item", "quantity", "unit_price", "amount"])

    /// Referenced entities first (after the sales contract).
    public static let all = [purchaseOrder, purchaseLine]
}
