/// The entities every CRM Shell database has, whatever plugins are enabled.
public enum CoreEntities {
    static let phonePattern = "[0-9+()\\- ]{3,40}"
    static let emailPattern = "[^@\\s]+@[^@\\s]+\\.[^@\\s]+"

    public static let user = EntityDefinition(
        name: "user", label: "User",
        fields: [
            FieldDefinition("name", .text, label: "Name", required: true, unique: true, maxLength: 100),
            FieldDefinition("role", .enumeration(["sales", "manager", "service", "finance", "admin", "other", "agent", "auditor"]),
                            label: "Role", defaultText: "sales"),
            FieldDefinition("team", .text, label: "Team", maxLength: 100),
            FieldDefinition("phone", .text, label: "Phone", pattern: phonePattern),
            FieldDefinition("email", .text, label: "Email", pattern: emailPattern),
            FieldDefinition("active", .bool, label: "Active", required: true, defaultText: "yes"),
        ],
        titleField: "name", listFields: ["id", "name", "role", "team", "active"])

    public static let customer = EntityDefinition(
        name: "customer", label: "Customer",
        fields: [
            FieldDefinition("kind", .enumeration(["person", "organisation", "supplier"]), label: "Kind",
                            required: true, defaultText: "person", help: "supplier: an organisation purchase orders go to"),
            FieldDefinition("name", .text, label: "Name", required: true, maxLength: 200),
            FieldDefinition("phone", .text, label: "Phone", pattern: phonePattern, isPrivate: true),
            FieldDefinition("email", .text, label: "Email", pattern: emailPattern, maxLength: 254, isPrivate: true),
            FieldDefinition("address", .text, label: "Address", maxLength: 500),
            FieldDefinition("city", .text, label: "City", maxLength: 100),
            FieldDefinition("source", .text, label: "Source", maxLength: 100,
                            help: "channel the customer came from: walk-in, referral, web, ad, …"),
            FieldDefinition("owner", .reference("user"), label: "Owner",
                            help: "the salesperson or account manager"),
            FieldDefinition("stage", .enumeration(["potential", "development", "growth", "maturity", "termination"]),
                            label: "Lifecycle stage", required: true, defaultText: "potential"),
            FieldDefinition("value_class", .enumeration(["A", "B", "C"]), label: "Value class",
                            help: "Pareto class: A ≈ top 5%, B ≈ next 15%, C the rest"),
            FieldDefinition("birthday", .date, label: "Birthday / anniversary", isPrivate: true),
            FieldDefinition("tier", .enumeration(MembershipTiers.names), label: "Membership tier",
                            help: "普通 / 银卡 / 金卡 / VIP by 12-month value: set by `tiers recompute`"),
            FieldDefinition("tags", .text, label: "Tags", maxLength: 500, help: "comma-separated"),
            FieldDefinition("notes", .text, label: "Notes"),
        ],
        indexes: [IndexDefinition(["phone"]), IndexDefinition(["email"]), IndexDefinition(["city", "name"]),
                  IndexDefinition(["owner"]), IndexDefinition(["stage"])],
        titleField: "name", searchFields: ["name", "phone", "email"],
        listFields: ["id", "name", "phone", "email", "city", "stage", "value_class", "owner"])

    public static let contact = EntityDefinition(
        name: "contact", label: "Contact",
        fields: [
            FieldDefinition("customer", .reference("customer"), label: "Customer", required: true),
            FieldDefinition("name", .text, label: "Name", required: true, maxLength: 200),
            FieldDefinition("title", .text, label: "Job title", maxLength: 100),
            FieldDefinition("phone", .text, label: "Phone", pattern: phonePattern, isPrivate: true),
            FieldDefinition("email", .text, label: "Email", pattern: emailPattern, maxLength: 254, isPrivate: true),
            FieldDefinition("notes", .text, label: "Notes"),
        ],
        indexes: [IndexDefinition(["customer"]), IndexDefinition(["phone"])],
        titleField: "name", searchFields: ["name", "phone", "email"])

    public static let interaction = EntityDefinition(
        name: "interaction", label: "Interaction",
        fields: [
            FieldDefinition("customer", .reference("customer"), label: "Customer", required: true),
            FieldDefinition("kind", .enumeration(["visit", "call", "email", "meeting", "message", "note"]),
                            label: "Kind", required: true),
            FieldDefinition("by", .reference("user"), label: "By"),
            FieldDefinition("at", .datetime, label: "At", required: true, defaultText: "now"),
            FieldDefinition("summary", .text, label: "Summary", maxLength: 2000),
            FieldDefinition("outcome", .text, label: "Outcome", maxLength: 500),
            FieldDefinition("campaign", .reference("campaign"), label: "Campaign", help: "the campaign this responds to"),
        ],
        indexes: [IndexDefinition(["customer", "at"]), IndexDefinition(["by"])],
        titleField: "summary")

    public static let task = EntityDefinition(
        name: "task", label: "Task",
        fields: [
            FieldDefinition("customer", .reference("customer"), label: "Customer"),
            FieldDefinition("title", .text, label: "Title", required: true, maxLength: 300),
            FieldDefinition("assignee", .reference("user"), label: "Assignee"),
            FieldDefinition("due", .date, label: "Due"),
            FieldDefinition("status", .enumeration(["open", "done", "cancelled"]), label: "Status",
                            required: true, defaultText: "open"),
            FieldDefinition("notes", .text, label: "Notes"),
        ],
        indexes: [IndexDefinition(["customer"]), IndexDefinition(["status", "due"]), IndexDefinition(["assignee"])],
        titleField: "title")

    public static let deal = EntityDefinition(
        name: "deal", label: "Deal",
        fields: [
            FieldDefinition("customer", .reference("customer"), label: "Customer", required: true),
            FieldDefinition("title", .text, label: "Title", required: true, maxLength: 300),
            FieldDefinition("amount", .money, label: "Amount", min: "0"),
            FieldDefinition("stage", .enumeration(["lead", "qualified", "proposal", "negotiation", "won", "lost"]),
                            label: "Pipeline stage", required: true, defaultText: "lead"),
            FieldDefinition("expected_close", .date, label: "Expected close"),
            FieldDefinition("owner", .reference("user"), label: "Owner"),
            FieldDefinition("closed", .date, label: "Closed on"),
            FieldDefinition("campaign", .reference("campaign"), label: "Campaign", help: "the campaign it came from"),
        ],
        indexes: [IndexDefinition(["customer"]), IndexDefinition(["stage"]), IndexDefinition(["owner"])],
        titleField: "title")

    public static let ticket = EntityDefinition(
        name: "ticket", label: "Ticket",
        fields: [
            FieldDefinition("customer", .reference("customer"), label: "Customer", required: true),
            FieldDefinition("kind", .enumeration(["request", "complaint", "fault"]), label: "Kind", required: true),
            FieldDefinition("title", .text, label: "Title", required: true, maxLength: 300),
            FieldDefinition("opened", .datetime, label: "Opened", required: true, defaultText: "now"),
            FieldDefinition("priority", .enumeration(["low", "normal", "high", "urgent"]), label: "Priority",
                            required: true, defaultText: "normal"),
            FieldDefinition("status", .enumeration(["open", "in_progress", "resolved", "closed"]), label: "Status",
                            required: true, defaultText: "open"),
            FieldDefinition("assignee", .reference("user"), label: "Assignee"),
            FieldDefinition("resolved", .datetime, label: "Resolved"),
            FieldDefinition("satisfaction", .integer, label: "Satisfaction (1–5)", min: "1", max: "5"),
            FieldDefinition("responded", .datetime, label: "First response",
                            help: "the first reply (set when the ticket leaves open); measured against sla.response_<priority>"),
        ],
        indexes: [IndexDefinition(["customer"]), IndexDefinition(["status"]), IndexDefinition(["assignee"])],
        titleField: "title")

    /// All core entities, referenced entities before the ones that reference them.
    public static let all = [user, customer] + SalesEntities.audience + [contact, interaction, task, deal, ticket]
        + SalesEntities.dealSide + CollectionsEntities.all + PurchasingEntities.all
}
