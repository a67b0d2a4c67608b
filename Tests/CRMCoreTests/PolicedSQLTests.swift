import CRMCore
import XCTest

/// What SQL may not say under an access policy (`PolicedSQL`): names qualified by the
/// schema behind the policy, however spelled, and functions that run SQL given as text;
/// strings, comments and aliases that only look alike pass.
final class PolicedSQLTests: XCTestCase {
    func refused(_ sql: String, schemas: Set<String> = ["public", "pg_temp"]) -> String? {
        do {
            try PolicedSQL.refuse(sql, schemas: schemas, functions: ["set_config", "query_to_xml*"], example: "public")
            return nil
        } catch {
            return "\(error)"
        }
    }

    func testQualifiedNames_areRefusedHoweverSpelled() {
        for sql in ["select * from public.customer", "select * from PUBLIC . customer", "select * from \"public\".\"customer\"",
                    "select (select count(*) from public.deal) n", "select * from pg_temp.customer",
                    "select * from customer c where exists (select 1 from /* x */ public.customer p)"] {
            XCTAssertNotNil(refused(sql), sql)
        }
        XCTAssertTrue(refused("select * from public.customer")?.contains("schema name 'public' is not allowed") ?? false)
        XCTAssertNotNil(refused("select * from main.customer", schemas: ["main"]))
    }

    func testStringsCommentsAndAliases_pass() {
        for sql in ["select 'public.customer' from customer", "select c.name, c.phone from customer c",
                    "select 1 -- public.customer", "select /* public.customer */ 1", "select \"public\" from customer",
                    "select set_config_name from customer", "select 'it''s public.x' from customer"] {
            XCTAssertNil(refused(sql), sql)
        }
    }

    func testTricksThatHideAName_areSeen() {
        // An E'' string ends where PostgreSQL ends it, not at the escaped quote.
        XCTAssertNotNil(refused("select E'\\'' , n from public.customer -- '"))
        XCTAssertNotNil(refused("select * from U&\"\\0070ublic\".customer"))
        XCTAssertNotNil(refused("select set_config('search_path', 'public', false)"))
        XCTAssertNotNil(refused("select query_to_xml('select * from public.customer', true, true, '')"))
        XCTAssertNotNil(refused("select \"query_to_xml_and_xmlschema\" ('x', true, true, '')"))
    }
}
