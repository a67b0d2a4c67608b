/// The sales modules' entities: segments and their static members, campaigns, products,
/// quotes with their lines, and the deal team. Everything that belongs to a customer
/// references `customer` directly (quotes and team members carry their deal's customer).
public enum SalesEntities {
    /// Characters a segment name may not have: it is written as one bare word after `in`.
    static let segmentNamePattern = "[^\\s'\"(),=<>!~#]{1,64}"

    public static let segment = EntityDefinition(
        name: "segment", label: "Segment",
        fields: [
            FieldDefinition("name", .text, label: "Name", required: true, unique: true, pattern: segmentNamePattern,
                            help: "one word, used as `list customer in NAME`"),
            FieldDefinition("kind", .enumeration(["filter", "list"]), label: "Kind", required: true, defaultText: "filter",
                            help: "filter: a saved filter, evaluated when used; list: a fixed list of customers"),
            FieldDefinition("definition", .text, label: "Definition", maxLength: 4000,
                            help: "the filter as typed, or where a list came from"),
            FieldDefinition("compiled", .text, label: "Parsed filter", help: "the filter as the store reads it (set by `segment`)"),
            FieldDefinition("description", .text, label: "Description", maxLength: 500),
        ],
        titleField: "name", listFields: ["id", "name", "kind", "definition"])
        .withLookup(["name"])

    public static let segmentMember = EntityDefinition(
        name: "segment_member", label: "Segment member",
        fields: [
            FieldDefinition("segment", .reference("segment"), label: "Segment", required: true),
            FieldDefinition("customer", .reference("customer"), label: "Customer", required: true),
        ],
        indexes: [IndexDefinition(["segment", "customer"], unique: true), IndexDefinition(["customer"])],
        listFields: ["id", "segment", "customer"])

    public static let campaign = EntityDefinition(
        name: "campaign", label: "Campaign",
        fields: [
            FieldDefinition("name", .text, label: "Name", required: true, unique: true, maxLength: 200),
            FieldDefinition("segment", .reference("segment"), label: "Segment", help: "whom it reaches"),
            FieldDefinition("channel", .enumeration(["phone", "sms", "wechat", "email", "event", "mail"]),
                            label: "Channel", required: true),
            FieldDefinition("starts", .date, label: "Starts"),
            FieldDefinition("ends", .date, label: "Ends"),
            FieldDefinition("cost", .money, label: "Cost", min: "0"),
            FieldDefinition("message", .text, label: "Message", maxLength: 2000),
            FieldDefinition("owner", .reference("user"), label: "Owner"),
        ],
        titleField: "name", listFields: ["id", "name", "channel", "segment", "starts", "ends", "cost"])
        .withLookup(["name"])

    public static let product = EntityDefinition(
        name: "product", label: "Product",
        fields: [
            FieldDefinition("code", .text, label: "Code", required: true, unique: true, maxLength: 50),
            FieldDefinition("name", .text, label: "Name", required: true, maxLength: 200),
            FieldDefinition("unit", .text, label: "Unit", maxLength: 20, help: "件, 套, hour, …"),
            FieldDefinition("list_price", .money, label: "List price", required: true, min: "0"),
            FieldDefinition("active", .bool, label: "Active", required: true, defaultText: "yes"),
        ],
        titleField: "name", listFields: ["id", "code", "name", "unit", "list_price", "active"])
        .withLookup(["code"])

    public static let quote = EntityDefinition(
        name: "quote", label: "Quote",
        fields: [
            FieldDefinition("deal", .reference("deal"), label: "Deal", required: true),
            FieldDefinition("customer", .reference("customer"), label: "Customer", help: "the deal's customer (set by the store)"),
            FieldDefinition("version", .integer, label: "Version", min: "1", help: "1 for a deal's first quote, +1 per revision"),
            FieldDefinition("status", .enumeration(["draft", "sent", "accepted", "rejected", "superseded"]),
                            label: "Status", required: true, defaultText: "draft"),
            FieldDefinition("tax_rate", .decimal(scale: 2), label: "Tax rate %", min: "0", max: "100",
                            help: "from the setting quotes.tax_rate when the quote is made"),
            FieldDefinition("subtotal", .money, label: "Subtotal", help: "sum of the lines (set by the store)"),
            FieldDefinition("tax", .money, label: "Tax", help: "subtotal × tax rate, to the cent (set by the store)"),
            FieldDefinition("total", .money, label: "Total", help: "subtotal + tax (set by the store)"),
            FieldDefinition("valid_until", .date, label: "Valid until"),
            FieldDefinition("notes", .text, label: "Notes"),
        ],
        indexes: [IndexDefinition(["deal", "version"], unique: true)],
        listFields: ["id", "deal", "version", "status", "subtotal", "tax", "total"])

    public static let quoteLine = EntityDefinition(
        name: "quote_line", label: "Quote line",
        fields: [
            FieldDefinition("quote", .reference("quote"), label: "Quote", required: true),
            FieldDefinition("product", .reference("product"), label: "Product", required: true),
            FieldDefinition("quantity", .decimal(scale: 3), label: "Quantity", required: true, defaultText: "1"),
            FieldDefinition("unit_price", .money, label: "Unit price", help: "the product's list price unless given"),
            FieldDefinition("discount", .decimal(scale: 2), label: "Discount %", required: true, defaultText: "0"),
            FieldDefinition("amount", .money, label: "Amount", help: "quantity × unit price × (1 − discount), to the cent"),
        ],
        indexes: [IndexDefinition(["quote"])],
        listFields: ["id", "quote", "product", "quantity", "unit_price", "discount", "amount"])

    public static let dealMember = EntityDefinition(
        name: "deal_member", label: "Deal team member",
        fields: [
            FieldDefinition("deal", .reference("deal"), label: "Deal", required: true),
            FieldDefinition("customer", .reference("customer"), label: "Customer", help: "the deal's customer (set by the store)"),
            FieldDefinition("user", .reference("user"), label: "Member", required: true),
            FieldDefinition("role", .enumeration(["lead", "presales", "technical", "support", "partner", "other"]),
                            label: "Role", required: true, defaultText: "lead"),
            FieldDefinition("share", .decimal(scale: 2), label: "Share of credit %", required: true),
        ],
        indexes: [IndexDefinition(["deal", "user"], unique: true)],
        listFields: ["id", "deal", "user", "role", "share"])

    /// Installed after customers, before the interactions and deals that reference campaigns.
    public static let audience = [segment, segmentMember, campaign]
    /// Installed after deals.
    public static let dealSide = [product, quote, quoteLine, dealMember]
}

extension EntityDefinition {
    /// The same definition with these lookup keys (`#3` or a key names a record).
    func withLookup(_ keys: [String]) -> EntityDefinition {
        var e = self
        e.lookupFields = keys
        return e
    }
}
