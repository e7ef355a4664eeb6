//! Contacts: the customer users of an organization. Their e-mail is their login name.

use super::{envelope, page_request, ListEnvelope};
use crate::auth::Caller;
use crate::error::{ApiResult, AppError, Checks};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use triage_core::contact::Contact;
use triage_core::email::Email;
use triage_core::organization::validate_timezone;
use triage_store::StoreError;
use utoipa::ToSchema;

fn check_name(name: &str) -> ApiResult<String> {
    Ok(triage_core::organization::validate_name(name)?)
}

async fn check_org(s: &AppState, org: i64) -> ApiResult<()> {
    match s.store.get_organization(org).await {
        Ok(_) => Ok(()),
        Err(StoreError::NotFound) => Err(AppError::refused("organization_id", format!("no organization has id {org}"))),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactCreate {
    pub organization_id: i64,
    pub name: String,
    pub email: String,
    /// IANA time zone their promises are written in; default: the organization's.
    pub timezone: Option<String>,
}

/// Create a contact (staff).
#[utoipa::path(post, path = "/api/v1/contacts", tag = "customers", request_body = ContactCreate,
    responses((status = 201, body = Contact), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    State(s): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<ContactCreate>,
) -> ApiResult<(StatusCode, Json<Contact>)> {
    caller.require_staff()?;
    let mut checks = Checks::default();
    let email = checks.take(Email::parse_exact(&req.email))?;
    let name = checks.take(check_name(&req.name))?.unwrap_or_default();
    checks.take(check_org(&s, req.organization_id).await)?;
    let tz = req.timezone.as_deref().map(|t| checks.take(validate_timezone("timezone", t))).transpose()?.flatten();
    checks.finish()?;
    let Some(email) = email else { return Err(AppError::Internal("a checked contact lost its e-mail".into())) };
    let mut c = s.store.create_contact(req.organization_id, &name, &email, s.now()).await?;
    if tz.is_some() {
        c.timezone = tz;
        c = s.store.save_contact(&c).await?;
    }
    Ok((StatusCode::CREATED, Json(c)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ContactListParams {
    pub organization_id: Option<i64>,
    pub cursor: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// List contacts (customers see their organization's).
#[utoipa::path(get, path = "/api/v1/contacts", tag = "customers", params(ContactListParams),
    responses((status = 200, body = ListEnvelope<Contact>)))]
pub async fn list(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ContactListParams>,
) -> ApiResult<Json<ListEnvelope<Contact>>> {
    let page = page_request(&q.cursor, q.limit)?;
    let org = match caller.organization_id {
        Some(own) if q.organization_id.is_some_and(|o| o != own) => {
            return Ok(Json(ListEnvelope { items: vec![], next_cursor: None }))
        }
        Some(own) => Some(own),
        None => q.organization_id,
    };
    let found = s.store.list_contacts(org, page).await?;
    Ok(Json(envelope(found, |c| c)))
}

async fn load(s: &AppState, caller: &Caller, id: i64) -> ApiResult<Contact> {
    let c = s.store.get_contact(id).await?;
    if caller.organization_id.is_some_and(|own| own != c.organization_id) {
        return Err(AppError::NotFound);
    }
    Ok(c)
}

/// One contact.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "customers", params(("id" = i64, Path)),
    responses((status = 200, body = Contact), (status = 404, body = crate::error::Problem)))]
pub async fn get_one(State(s): State<AppState>, caller: Caller, ApiPath(id): ApiPath<i64>) -> ApiResult<Json<Contact>> {
    Ok(Json(load(&s, &caller, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactUpdate {
    pub organization_id: Option<i64>,
    pub name: Option<String>,
    pub email: Option<String>,
    /// IANA time zone; `null` returns to the organization's.
    #[serde(default, deserialize_with = "crate::extract::double_option")]
    #[schema(value_type = Option<String>)]
    pub timezone: Option<Option<String>>,
}

/// Change a contact (staff).
#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "customers", params(("id" = i64, Path)), request_body = ContactUpdate,
    responses((status = 200, body = Contact), (status = 422, body = crate::error::Problem)))]
pub async fn update(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ContactUpdate>,
) -> ApiResult<Json<Contact>> {
    let mut c = load(&s, &caller, id).await?;
    caller.require_staff()?;
    let mut checks = Checks::default();
    if let Some(org) = req.organization_id {
        checks.take(check_org(&s, org).await)?;
        c.organization_id = org;
    }
    if let Some(n) = &req.name {
        c.name = checks.take(check_name(n))?.unwrap_or_default();
    }
    if let Some(e) = &req.email {
        if let Some(e) = checks.take(Email::parse_exact(e))? {
            c.email = e;
        }
    }
    if let Some(tz) = &req.timezone {
        c.timezone = tz.as_deref().map(|t| checks.take(validate_timezone("timezone", t))).transpose()?.flatten();
    }
    checks.finish()?;
    let saved = s.store.save_contact(&c).await?;
    s.tokens.forget_all();
    s.contacts.forget_all();
    Ok(Json(saved))
}

/// Delete a contact who never opened a ticket (admin).
#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "customers", params(("id" = i64, Path)),
    responses((status = 204), (status = 409, body = crate::error::Problem)))]
pub async fn delete(State(s): State<AppState>, caller: Caller, ApiPath(id): ApiPath<i64>) -> ApiResult<StatusCode> {
    load(&s, &caller, id).await?;
    caller.require_admin()?;
    s.store.delete_contact(id).await?;
    s.tokens.forget_all();
    s.contacts.forget_all();
    Ok(StatusCode::NO_CONTENT)
}

/// What an erasure did.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct Erased {
    pub contact: Contact,
    /// Their tickets, kept for reporting with their texts replaced.
    pub tickets: Vec<i64>,
}

/// Erase a contact's personal data on request (admin; GDPR art. 17): their name,
/// e-mail and the texts they wrote are replaced and their tokens revoked; their
/// tickets stay for reporting, each with the erasure in its log.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/erase", tag = "customers", params(("id" = i64, Path)),
    responses((status = 200, body = Erased), (status = 404, body = crate::error::Problem)))]
pub async fn erase(State(s): State<AppState>, caller: Caller, ApiPath(id): ApiPath<i64>) -> ApiResult<Json<Erased>> {
    load(&s, &caller, id).await?;
    caller.require_admin()?;
    let tickets = s.store.erase_contact(id, &caller.actor().to_string(), s.now()).await?;
    s.tokens.forget_all();
    s.contacts.forget_all();
    tracing::info!(contact = id, tickets = tickets.len(), by = %caller.actor(), "contact erased on request");
    Ok(Json(Erased { contact: s.store.get_contact(id).await?, tickets }))
}
