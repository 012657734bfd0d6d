//! The OpenAPI 3.1 document, built with `utoipa` from the registry: the routes of every model
//! with a schema of its history rows, the changeset routes, the bearer security scheme.

use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem,
};
use utoipa::openapi::response::{ResponseBuilder, ResponsesBuilder};
use utoipa::openapi::schema::{
    AnyOfBuilder, ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder, Ref,
    RefOr, Required,
};

use audit_diesel::schema::spec::SqlType;
use audit_diesel::{AuditConnection, HistoryIdType, HistoryTableSpec, Registry, UserIdType};

use crate::handlers::slug;

/// The type a column's values have in the API's JSON, as `/models/` names it.
pub(crate) fn type_name(sql_type: &SqlType) -> &'static str {
    match sql_type {
        SqlType::SmallInt | SqlType::Integer | SqlType::BigInt => "integer",
        SqlType::Float | SqlType::Double => "number",
        SqlType::Bool => "boolean",
        SqlType::Text => "string",
        SqlType::Binary => "bytes",
        SqlType::Date => "date",
        SqlType::Time => "time",
        SqlType::Timestamp => "timestamp",
        SqlType::Timestamptz => "date-time",
        SqlType::Uuid => "uuid",
        SqlType::Numeric => "decimal",
        _ => "json",
    }
}

fn typed(t: Type) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::new(t))
}

/// The JSON schema of a column's values (`null` too when `nullable`).
fn column_schema(sql_type: &SqlType, nullable: bool) -> Schema {
    let base = match sql_type {
        SqlType::SmallInt | SqlType::Integer | SqlType::BigInt => Some(Type::Integer),
        SqlType::Float | SqlType::Double => Some(Type::Number),
        SqlType::Bool => Some(Type::Boolean),
        SqlType::Text | SqlType::Date | SqlType::Time | SqlType::Timestamp => Some(Type::String),
        SqlType::Timestamptz | SqlType::Uuid => Some(Type::String),
        SqlType::Binary => None,
        _ => None,
    };
    let format = match sql_type {
        SqlType::Timestamptz => Some(KnownFormat::DateTime),
        SqlType::Uuid => Some(KnownFormat::Uuid),
        SqlType::Date => Some(KnownFormat::Date),
        _ => None,
    };
    match (base, sql_type) {
        (None, SqlType::Binary) => Schema::Array(
            ArrayBuilder::new()
                .items(typed(Type::Integer).build())
                .build(),
        ),
        // Any JSON value (a decimal as text, a JSON column); `ObjectBuilder` alone means an object.
        (None, _) => Schema::Object(
            ObjectBuilder::new()
                .schema_type(SchemaType::AnyValue)
                .build(),
        ),
        (Some(t), _) => {
            let types = if nullable {
                SchemaType::from_iter([t, Type::Null])
            } else {
                SchemaType::new(t)
            };
            let mut builder = ObjectBuilder::new().schema_type(types);
            if let Some(format) = format {
                builder = builder.format(Some(SchemaFormat::KnownFormat(format)));
            }
            Schema::Object(builder.build())
        }
    }
}

/// `Historical<Model>`: a history row of the model, as the API returns it.
fn record_schema(spec: &HistoryTableSpec) -> Schema {
    let mut object = typed(Type::Object);
    for column in spec.columns.iter() {
        object = object
            .property(
                column.name.to_string(),
                column_schema(&column.sql_type, column.nullable),
            )
            .required(column.name.to_string());
    }
    let history_id = match spec.history_id {
        HistoryIdType::BigInt => column_schema(&SqlType::BigInt, false),
        _ => column_schema(&SqlType::Uuid, false),
    };
    let user = match spec.user_id {
        UserIdType::I32 | UserIdType::I64 => column_schema(&SqlType::BigInt, true),
        UserIdType::Uuid => column_schema(&SqlType::Uuid, true),
        _ => column_schema(&SqlType::Text, true),
    };
    let history_type = ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .enum_values(Some(["+", "~", "-"]))
        .description(Some("+ create, ~ update, - delete"));
    object = object
        .property("history_id", history_id)
        .required("history_id")
        .property("history_date", column_schema(&SqlType::Timestamptz, false))
        .required("history_date")
        .property("history_type", history_type)
        .required("history_type")
        .property("history_user_id", user)
        .property("history_change_reason", column_schema(&SqlType::Text, true))
        .property("history_changeset_id", column_schema(&SqlType::Uuid, true));
    for field in spec.history_fields.iter() {
        object = object.property(field.name.to_string(), column_schema(&field.sql_type, true));
    }
    Schema::Object(
        object
            .description(Some(format!("A history row of {}", spec.model)))
            .build(),
    )
}

fn schema_ref(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

fn json_response(description: &str, schema: RefOr<Schema>) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new().schema(Some(schema)).build(),
        )
        .build()
}

fn problem_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(schema_ref("Problem")))
                .build(),
        )
        .build()
}

/// The responses every read may give beside its own 200.
fn responses(ok: utoipa::openapi::Response, not_found: bool, forbidden: bool) -> ResponsesBuilder {
    let mut r = ResponsesBuilder::new()
        .response("200", ok)
        .response(
            "400",
            problem_response("A parameter is malformed; `parameter` names it"),
        )
        .response(
            "401",
            problem_response("No credentials, or credentials that name no one"),
        )
        .response("503", problem_response("The database is unavailable"));
    if forbidden {
        r = r.response(
            "403",
            problem_response("Personal data: needs the admin or auditor role"),
        );
    }
    if not_found {
        r = r.response("404", problem_response("No such record or object"));
    }
    r
}

fn query(name: &str, description: &str, schema: Schema) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

fn path_param(name: &str, description: &str, schema: Schema) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

fn string() -> Schema {
    Schema::Object(typed(Type::String).build())
}

/// `date_from` and `date_to`, as the listings read them.
fn date_filters() -> [utoipa::openapi::path::Parameter; 2] {
    [
        query(
            "date_from",
            "Rows dated then or later (RFC 3339, or YYYY-MM-DD)",
            string(),
        ),
        query(
            "date_to",
            "Rows dated then or earlier (RFC 3339, or YYYY-MM-DD: its end)",
            string(),
        ),
    ]
}

fn page_size() -> Schema {
    Schema::Object(
        typed(Type::Integer)
            .minimum(Some(1))
            .maximum(Some(crate::MAX_PAGE_SIZE as f64))
            .build(),
    )
}

/// A page of rows (`count`, `next`, `previous`, `next_cursor`, `results`) of `item`.
fn page_schema(item: RefOr<Schema>, count: bool) -> Schema {
    let nullable_string = || {
        Schema::Object(
            ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                .build(),
        )
    };
    let mut object = typed(Type::Object)
        .property("next", nullable_string())
        .required("next")
        .property("next_cursor", nullable_string())
        .property("results", ArrayBuilder::new().items(item).build())
        .required("results");
    if count {
        object = object
            .property(
                "count",
                Schema::Object(
                    ObjectBuilder::new()
                        .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
                        .build(),
                ),
            )
            .required("count")
            .property("previous", nullable_string())
            .required("previous");
    }
    Schema::Object(object.build())
}

/// The document of `registry`'s API, with or without the models holding personal data.
pub(crate) fn document<C: AuditConnection>(registry: &Registry<C>, personal_data: bool) -> OpenApi {
    let base = "/api/v1/history";
    let mut paths = PathsBuilder::new();
    let mut components = ComponentsBuilder::new()
        .security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        )
        .schema("Problem", problem_schema())
        .schema("Changeset", Schema::Object(typed(Type::Object).build()))
        .schema(
            "ChangesetSummary",
            Schema::Object(
                typed(Type::Object)
                    .property("id", column_schema(&SqlType::Uuid, false))
                    .required("id")
                    .build(),
            ),
        );
    for model in registry
        .histories()
        .filter(|m| personal_data || !m.personal_data())
    {
        let spec = model.spec();
        let name = spec.model.to_string();
        let record = format!("Historical{name}");
        components = components
            .schema(record.clone(), record_schema(spec))
            .schema(
                format!("{name}HistoryPage"),
                page_schema(schema_ref(&record), true),
            )
            .schema(format!("{name}HistoryDetail"), detail_schema(&record));
        let personal = model.personal_data();
        let url = format!("{base}/{}/", slug(spec));
        let list = OperationBuilder::new()
            .operation_id(Some(format!("list{name}History")))
            .summary(Some(format!("The history of {name}, newest first")))
            .tag(name.clone())
            .parameters(Some(date_filters().into_iter().chain([
                query("history_user", "Rows written by this user id", string()),
                query(
                    "history_type",
                    "+, ~ or - (or create, update, delete)",
                    string(),
                ),
                query(
                    "object_id",
                    "Rows of this object (its key; a composite key as a,b)",
                    string(),
                ),
                query(
                    "changeset",
                    "Rows of this changeset (a UUID)",
                    column_schema(&SqlType::Uuid, false),
                ),
                query(
                    "page",
                    "The page, from 1",
                    Schema::Object(typed(Type::Integer).minimum(Some(1)).build()),
                ),
                query(
                    "page_size",
                    "Rows per page (25 unless given; at most 100)",
                    page_size(),
                ),
                query(
                    "cursor",
                    "Keyset pagination: the rows after this history id (`next_cursor`)",
                    string(),
                ),
            ])))
            .responses(
                responses(
                    json_response(
                        "A page of history rows",
                        schema_ref(&format!("{name}HistoryPage")),
                    ),
                    true,
                    personal,
                )
                .build(),
            )
            .build();
        paths = paths.path(url.clone(), PathItem::new(HttpMethod::Get, list));
        let detail = OperationBuilder::new()
            .operation_id(Some(format!("retrieve{name}HistoryDetail")))
            .summary(Some(format!(
                "One history row of {name}, with the diff against the row before it"
            )))
            .tag(name.clone())
            .parameter(path_param("history_id", "The row's history id", string()))
            .responses(
                responses(
                    json_response(
                        "The row, the row before it, the diff",
                        schema_ref(&format!("{name}HistoryDetail")),
                    ),
                    true,
                    personal,
                )
                .build(),
            )
            .build();
        paths = paths.path(
            format!("{url}{{history_id}}/"),
            PathItem::new(HttpMethod::Get, detail),
        );
        let as_of = OperationBuilder::new()
            .operation_id(Some(format!("retrieve{name}AsOf")))
            .summary(Some(format!("A {name} as it was at a time")))
            .tag(name.clone())
            .parameter(path_param(
                "object_id",
                "The object's key (a composite key as a,b)",
                string(),
            ))
            .parameter(
                ParameterBuilder::new()
                    .name("at")
                    .parameter_in(ParameterIn::Query)
                    .required(Required::True)
                    .description(Some("The time (RFC 3339)"))
                    .schema(Some(string()))
                    .build(),
            )
            .responses(
                responses(
                    json_response(
                        "The object's history row in force then",
                        Schema::Object(
                            typed(Type::Object)
                                .property("at", column_schema(&SqlType::Timestamptz, false))
                                .property("record", schema_ref(&record))
                                .required("record")
                                .build(),
                        )
                        .into(),
                    ),
                    true,
                    personal,
                )
                .build(),
            )
            .build();
        paths = paths.path(
            format!("{url}{{object_id}}/as-of"),
            PathItem::new(HttpMethod::Get, as_of),
        );
    }
    let changesets = OperationBuilder::new()
        .operation_id(Some("listChangesets"))
        .summary(Some("Changesets across models, newest first"))
        .tag("changesets")
        .parameters(Some(date_filters().into_iter().chain([
            query(
                "history_user",
                "Changesets with rows of this user id",
                string(),
            ),
            query(
                "page_size",
                "Changesets per page (25 unless given; at most 100)",
                page_size(),
            ),
            query(
                "cursor",
                "Keyset pagination: `next_cursor` of the previous page",
                string(),
            ),
        ])))
        .responses(
            responses(
                json_response(
                    "A page of changesets",
                    page_schema(schema_ref("ChangesetSummary"), false).into(),
                ),
                false,
                false,
            )
            .build(),
        )
        .build();
    paths = paths.path(
        format!("{base}/changesets/"),
        PathItem::new(HttpMethod::Get, changesets),
    );
    let changeset = OperationBuilder::new()
        .operation_id(Some("retrieveChangeset"))
        .summary(Some("One changeset's rows across models, in write order"))
        .tag("changesets")
        .parameter(path_param(
            "id",
            "The changeset id (a UUID)",
            column_schema(&SqlType::Uuid, false),
        ))
        .responses(
            responses(
                json_response("The changeset", schema_ref("Changeset")),
                true,
                false,
            )
            .build(),
        )
        .build();
    paths = paths.path(
        format!("{base}/changesets/{{id}}/"),
        PathItem::new(HttpMethod::Get, changeset),
    );
    let models = OperationBuilder::new()
        .operation_id(Some("listHistoryModels"))
        .summary(Some(
            "The models with history, their fields, whether they hold personal data",
        ))
        .tag("models")
        .responses(
            responses(
                json_response(
                    "The models",
                    Schema::Object(typed(Type::Object).build()).into(),
                ),
                false,
                false,
            )
            .build(),
        )
        .build();
    paths = paths.path(
        format!("{base}/models/"),
        PathItem::new(HttpMethod::Get, models),
    );
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("History API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Who changed what, when and why: the audit trail of the application's models",
                ))
                .build(),
        )
        .paths(paths.build())
        .components(Some(components.build()))
        .security(Some([SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]))
        .build()
}

fn detail_schema(record: &str) -> Schema {
    Schema::Object(
        typed(Type::Object)
            .property("record", schema_ref(record))
            .required("record")
            .property(
                "previous",
                Schema::AnyOf(
                    AnyOfBuilder::new()
                        .item(schema_ref(record))
                        .item(Schema::Object(typed(Type::Null).build()))
                        .build(),
                ),
            )
            .property(
                "diff",
                // None for the object's first row.
                Schema::Object(
                    ObjectBuilder::new()
                        .schema_type(SchemaType::from_iter([Type::Object, Type::Null]))
                        .build(),
                ),
            )
            .build(),
    )
}

fn problem_schema() -> Schema {
    Schema::Object(
        typed(Type::Object)
            .property("type", string())
            .required("type")
            .property("title", string())
            .required("title")
            .property("status", typed(Type::Integer).build())
            .required("status")
            .property("detail", string())
            .required("detail")
            .property("parameter", string())
            .description(Some("RFC 9457 problem details"))
            .build(),
    )
}
