//! A day at the farm, played by three people through the audited API: every in-scope model gets
//! created, changed and deleted, each change attributed and explained.

use audit_diesel::{AuditConnection, AuditError};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use crate::aquamind::environment::{NewReading, NewWeather, SensorLog};

/// Who did what in the day (user ids) and when it happened.
#[derive(Debug, Clone)]
pub struct Day {
    /// The run's tag, so that re-running on the same database creates new objects.
    pub tag: String,
    /// The date of the day.
    pub date: NaiveDate,
    /// The admin's user id.
    pub admin: i32,
    /// The operator's user id.
    pub operator: i32,
    /// The veterinarian's user id.
    pub vet: i32,
    /// The batch stocked in the day.
    pub batch_id: i32,
    /// A moment between the health check and the mortality event.
    pub mid_morning: DateTime<Utc>,
    /// The changeset of the 12:00 transfer to pen 7.
    pub transfer_changeset: uuid::Uuid,
}

/// `date` at `h:m` UTC.
pub fn at(date: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_time(NaiveTime::from_hms_opt(h, m, 0).expect("a valid time")))
}

/// `date` at `h:m`, naive (for timestamp columns).
pub fn naive(date: NaiveDate, h: u32, m: u32) -> NaiveDateTime {
    at(date, h, m).naive_utc()
}

/// Plays the day on `conn` (any connection the audit trail runs on: SQLite, PostgreSQL, or the
/// example's [`AquaConnection`](crate::aquamind::AquaConnection)); returns who did what.
///
/// Every audited call needs only `C: AuditConnection`. The sensor and weather rows, outside the
/// audit trail, are plain Diesel inserts, behind [`SensorLog`].
pub fn play<C>(conn: &mut C, tag: &str, date: NaiveDate) -> Result<Day, AuditError>
where
    C: AuditConnection + SensorLog,
{
    use crate::aquamind::auth::users;
    use crate::aquamind::batch::*;
    use crate::aquamind::health::*;
    use crate::aquamind::infrastructure::*;
    use crate::aquamind::inventory::*;
    use crate::aquamind::schema::*;
    use crate::aquamind::users::*;
    use audit_diesel::{AuditContext, Historical};
    use diesel::prelude::*;

    // Who, why and when: one context per action.
    let by = |user: Option<i32>,
              reason: &str,
              h: u32,
              m: u32|
     -> Result<AuditContext, audit_diesel::AuditError> {
        let mut builder = AuditContext::builder().reason(reason).date(at(date, h, m));
        if let Some(user) = user {
            builder = builder.user(user);
        }
        Ok(builder.build()?)
    };
    let named = |name: &str| format!("{name} {tag}");

    // 05:00 — accounts. The admin account is bootstrapped by the system, then the admin
    // opens the others.
    let user = |username: &str, first: &str, last: &str, staff: bool| {
        (
            users::username.eq(format!("{username}.{}", tag.to_lowercase())),
            users::email.eq(format!("{username}@aquamind.example")),
            users::first_name.eq(first.to_owned()),
            users::last_name.eq(last.to_owned()),
            users::password_hash.eq("argon2id$v=19$not-a-real-hash".to_owned()),
            users::is_staff.eq(staff),
            users::is_active.eq(true),
        )
    };
    let admin = AuditedUser::create(
        conn,
        &by(None, "bootstrap admin account", 5, 0)?,
        user("ada.admin", "Ada", "Admin", true),
    )?
    .id;
    let setup = |m| by(Some(admin), "farm setup", 5, m);
    let operator = AuditedUser::create(
        conn,
        &setup(1)?,
        user("ola.operator", "Ola", "Operator", false),
    )?
    .id;
    let vet = AuditedUser::create(conn, &setup(2)?, user("vera.vet", "Vera", "Vet", false))?.id;
    let contractor = AuditedUser::create(
        conn,
        &setup(3)?,
        user("tom.contractor", "Tom", "Contractor", false),
    )?
    .id;
    let profile = |user_id: i32, name: &str, role: &str| {
        (
            user_profiles::user_id.eq(user_id),
            user_profiles::full_name.eq(name.to_owned()),
            user_profiles::role.eq(role.to_owned()),
            user_profiles::language.eq("en".to_owned()),
        )
    };
    let mut profile_ids = Vec::new();
    for (user_id, name, role) in [
        (admin, "Ada Admin", "ADMIN"),
        (operator, "Ola Operator", "OPERATOR"),
        (vet, "Vera Vet", "VETERINARIAN"),
        (contractor, "Tom Contractor", "CONTRACTOR"),
    ] {
        let created = UserProfile::create(conn, &setup(4)?, profile(user_id, name, role))?;
        profile_ids.push(created.id);
    }
    let (vera, toms) = (profile_ids[2], profile_ids[3]);

    // 05:10 — infrastructure.
    let faroe = Geography::create(
        conn,
        &setup(10)?,
        (
            geographies::name.eq(named("Faroe Islands")),
            geographies::description.eq("Northern sea sites"),
        ),
    )?;
    let duplicate = Geography::create(
        conn,
        &setup(11)?,
        (
            geographies::name.eq(named("Faroe Isl.")),
            geographies::description.eq(None::<String>),
        ),
    )?;
    let area = |name: &str| {
        (
            areas::geography_id.eq(faroe.id),
            areas::name.eq(named(name)),
            areas::latitude.eq(62.1),
            areas::longitude.eq(-7.2),
            areas::max_biomass_kg.eq(500_000.0),
            areas::active.eq(true),
        )
    };
    let vestmanna = Area::create(conn, &setup(12)?, area("Vestmanna"))?;
    let test_area = Area::create(conn, &setup(12)?, area("Test area"))?;
    let station = |name: &str| {
        (
            freshwater_stations::geography_id.eq(faroe.id),
            freshwater_stations::name.eq(named(name)),
            freshwater_stations::station_type.eq("FRESHWATER"),
            freshwater_stations::latitude.eq(62.0),
            freshwater_stations::longitude.eq(-6.9),
            freshwater_stations::active.eq(true),
        )
    };
    let hatchery = FreshwaterStation::create(conn, &setup(13)?, station("Kollafjord hatchery"))?;
    let old_station = FreshwaterStation::create(conn, &setup(13)?, station("Old station"))?;
    let hall = |name: &str| {
        (
            halls::freshwater_station_id.eq(hatchery.id),
            halls::name.eq(named(name)),
            halls::area_sqm.eq(Some(400.0)),
            halls::active.eq(true),
        )
    };
    let hall_a = Hall::create(conn, &setup(14)?, hall("Hall A"))?;
    let hall_b = Hall::create(conn, &setup(14)?, hall("Hall B"))?;
    let kind = |name: &str, category: &str, volume: f64| {
        (
            container_types::name.eq(named(name)),
            container_types::category.eq(category.to_owned()),
            container_types::max_volume_m3.eq(volume),
        )
    };
    let tray = ContainerType::create(conn, &setup(15)?, kind("Hatchery tray", "TRAY", 2.0))?;
    let pen = ContainerType::create(conn, &setup(15)?, kind("Sea pen", "PEN", 40_000.0))?;
    let unused_kind = ContainerType::create(conn, &setup(15)?, kind("Round tank", "TANK", 100.0))?;
    let container = |kind: i32, hall: Option<i32>, area: Option<i32>, name: &str, volume: f64| {
        (
            containers::container_type_id.eq(kind),
            containers::hall_id.eq(hall),
            containers::area_id.eq(area),
            containers::name.eq(named(name)),
            containers::volume_m3.eq(volume),
            containers::max_biomass_kg.eq(volume * 25.0),
            containers::active.eq(true),
        )
    };
    let tray_a1 = Container::create(
        conn,
        &setup(16)?,
        container(tray.id, Some(hall_a.id), None, "Tray A1", 2.0),
    )?;
    let tray_a2 = Container::create(
        conn,
        &setup(16)?,
        container(tray.id, Some(hall_a.id), None, "Tray A2", 2.0),
    )?;
    let pen_7 = Container::create(
        conn,
        &setup(17)?,
        container(pen.id, None, Some(vestmanna.id), "Pen 7", 30_000.0),
    )?;
    let pen_8 = Container::create(
        conn,
        &setup(17)?,
        container(pen.id, None, Some(vestmanna.id), "Pen 8", 30_000.0),
    )?;
    let sensor = |container: i32, name: &str, kind: &str| {
        (
            sensors::container_id.eq(container),
            sensors::name.eq(named(name)),
            sensors::sensor_type.eq(kind.to_owned()),
            sensors::serial_number.eq(format!("SN-{tag}-{name}")),
            sensors::active.eq(true),
        )
    };
    let oxygen = Sensor::create(conn, &setup(18)?, sensor(tray_a1.id, "O2 A1", "OXYGEN"))?;
    let thermometer = Sensor::create(
        conn,
        &setup(18)?,
        sensor(pen_7.id, "Temp P7", "TEMPERATURE"),
    )?;
    let feeder = |hall: Option<i32>, area: Option<i32>, name: &str, kind: &str| {
        (
            feed_containers::hall_id.eq(hall),
            feed_containers::area_id.eq(area),
            feed_containers::name.eq(named(name)),
            feed_containers::kind.eq(kind.to_owned()),
            feed_containers::capacity_kg.eq(5_000.0),
            feed_containers::active.eq(true),
        )
    };
    let silo = FeedContainer::create(
        conn,
        &setup(19)?,
        feeder(Some(hall_a.id), None, "Silo 1", "SILO"),
    )?;
    let barge = FeedContainer::create(
        conn,
        &setup(19)?,
        feeder(None, Some(vestmanna.id), "Barge 2", "BARGE"),
    )?;
    let stock = |name: &str, kg: f64| {
        (
            feed_stocks::feed_container_id.eq(silo.id),
            feed_stocks::feed_name.eq(name.to_owned()),
            feed_stocks::current_quantity_kg.eq(kg),
            feed_stocks::reorder_threshold_kg.eq(500.0),
        )
    };
    let smolt_feed = FeedStock::create(conn, &setup(20)?, stock("Smolt feed 3 mm", 2_400.0))?;
    let old_feed = FeedStock::create(conn, &setup(20)?, stock("Starter feed 1 mm", 80.0))?;

    // 06:00 — the operator stocks a batch and puts it in two trays.
    let batch = Batch::create(
        conn,
        &by(Some(operator), "stocking from the hatchery", 6, 0)?,
        &NewBatch {
            batch_number: &format!("B-{date}-{tag}"),
            species: "Atlantic salmon",
            lifecycle_stage: "fry",
            status: "active",
            start_date: date,
            expected_end_date: date.checked_add_days(chrono::Days::new(540)),
            notes: None,
        },
    )?;
    let mistaken_batch = Batch::create(
        conn,
        &by(Some(operator), "stocking from the hatchery", 6, 1)?,
        &NewBatch {
            batch_number: &format!("B-{date}-{tag}-x"),
            species: "Atlantic salmon",
            lifecycle_stage: "fry",
            status: "active",
            start_date: date,
            expected_end_date: None,
            notes: None,
        },
    )?;
    let assign = |container: i32, population: i32, biomass: f64| {
        (
            batch_container_assignments::batch_id.eq(batch.id),
            batch_container_assignments::container_id.eq(container),
            batch_container_assignments::population_count.eq(population),
            batch_container_assignments::biomass_kg.eq(biomass),
            batch_container_assignments::assignment_date.eq(date),
            batch_container_assignments::is_active.eq(true),
        )
    };
    let in_a1 = BatchContainerAssignment::create(
        conn,
        &by(Some(operator), "assign to tray A1", 6, 5)?,
        assign(tray_a1.id, 50_000, 12.5),
    )?;
    let in_a2 = BatchContainerAssignment::create(
        conn,
        &by(Some(operator), "assign to tray A2", 6, 6)?,
        assign(tray_a2.id, 30_000, 7.5),
    )?;
    let wrong_tray = BatchContainerAssignment::create(
        conn,
        &by(Some(operator), "assign to tray A2", 6, 7)?,
        assign(tray_a2.id, 30_000, 7.5),
    )?;

    // 07:00 — feeding.
    let feed = |container: i32, h: u32, kg: f64| {
        (
            feeding_events::batch_id.eq(batch.id),
            feeding_events::container_id.eq(container),
            feeding_events::feed_stock_id.eq(Some(smolt_feed.id)),
            feeding_events::fed_at.eq(naive(date, h, 0)),
            feeding_events::amount_kg.eq(kg),
            feeding_events::method.eq("AUTOMATIC"),
        )
    };
    FeedingEvent::create(
        conn,
        &by(Some(operator), "morning feeding", 7, 0)?,
        feed(tray_a1.id, 7, 0.4),
    )?;
    let a2_feed = FeedingEvent::create(
        conn,
        &by(Some(operator), "morning feeding", 7, 1)?,
        feed(tray_a2.id, 7, 0.2),
    )?;
    let twice = FeedingEvent::create(
        conn,
        &by(Some(operator), "morning feeding", 7, 2)?,
        feed(tray_a2.id, 7, 0.2),
    )?;
    FeedingEvent::update(
        conn,
        &by(Some(operator), "scale read 0.25 kg", 7, 10)?,
        a2_feed.id,
        feeding_events::amount_kg.eq(0.25),
    )?;
    FeedStock::update(
        conn,
        &by(Some(operator), "stock after morning feeding", 7, 15)?,
        smolt_feed.id,
        feed_stocks::current_quantity_kg.eq(2_399.35),
    )?;

    // 08:00 — growth samples.
    let sample = |weight: f64| {
        (
            growth_samples::assignment_id.eq(in_a1.id),
            growth_samples::sample_date.eq(date),
            growth_samples::sample_size.eq(30),
            growth_samples::avg_weight_g.eq(weight),
            growth_samples::avg_length_cm.eq(Some(3.1)),
        )
    };
    let growth = GrowthSample::create(
        conn,
        &by(Some(operator), "weekly growth sample", 8, 0)?,
        sample(2.6),
    )?;
    let growth_twice = GrowthSample::create(
        conn,
        &by(Some(operator), "weekly growth sample", 8, 1)?,
        sample(2.6),
    )?;
    GrowthSample::update(
        conn,
        &by(Some(operator), "typo in average weight", 8, 5)?,
        growth.id,
        growth_samples::avg_weight_g.eq(2.4),
    )?;

    // 09:00 — the veterinarian's health check.
    let journal = |category: &str, description: &str| {
        (
            journal_entries::batch_id.eq(batch.id),
            journal_entries::container_id.eq(Some(tray_a1.id)),
            journal_entries::author_id.eq(vet),
            journal_entries::entry_date.eq(date),
            journal_entries::category.eq(category.to_owned()),
            journal_entries::severity.eq("MEDIUM"),
            journal_entries::description.eq(description.to_owned()),
            journal_entries::resolved.eq(false),
        )
    };
    let gills = JournalEntry::create(
        conn,
        &by(Some(vet), "gill inspection", 9, 0)?,
        journal("OBSERVATION", "pale gills on some fry in A1"),
    )?;
    let gills_twice = JournalEntry::create(
        conn,
        &by(Some(vet), "gill inspection", 9, 1)?,
        journal("OBSERVATION", "pale gills on some fry in A1"),
    )?;
    let lab = |reference: &str| {
        (
            health_lab_samples::assignment_id.eq(in_a1.id),
            health_lab_samples::sample_type.eq("GILL_SWAB"),
            health_lab_samples::sample_date.eq(date),
            health_lab_samples::lab_reference.eq(format!("LAB-{tag}-{reference}")),
            health_lab_samples::findings.eq(None::<String>),
        )
    };
    let swab = HealthLabSample::create(
        conn,
        &by(Some(vet), "gill swab sent to the lab", 9, 5)?,
        lab("001"),
    )?;
    let cancelled_swab = HealthLabSample::create(
        conn,
        &by(Some(vet), "gill swab sent to the lab", 9, 6)?,
        lab("002"),
    )?;
    let lice = |female: i32| {
        (
            lice_counts::batch_id.eq(batch.id),
            lice_counts::container_id.eq(Some(tray_a1.id)),
            lice_counts::counted_by.eq(vet),
            lice_counts::count_date.eq(date),
            lice_counts::fish_sampled.eq(20),
            lice_counts::adult_female_count.eq(female),
            lice_counts::adult_male_count.eq(2),
            lice_counts::juvenile_count.eq(5),
        )
    };
    let count = LiceCount::create(conn, &by(Some(vet), "weekly lice count", 9, 10)?, lice(4))?;
    let count_twice =
        LiceCount::create(conn, &by(Some(vet), "weekly lice count", 9, 11)?, lice(4))?;
    LiceCount::update(
        conn,
        &by(Some(vet), "recounted adult females", 9, 20)?,
        count.id,
        lice_counts::adult_female_count.eq(3),
    )?;
    let mid_morning = at(date, 9, 30);

    // 10:00 — a mortality event, and what it does to the trays.
    let mortality = |count: i32, cause: &str| {
        (
            mortality_events::batch_id.eq(batch.id),
            mortality_events::event_date.eq(date),
            mortality_events::count.eq(count),
            mortality_events::cause.eq(cause.to_owned()),
            mortality_events::description.eq(Some("found at morning round")),
        )
    };
    let deaths = MortalityEvent::create(
        conn,
        &by(Some(operator), "mortality after handling", 10, 0)?,
        mortality(150, "HANDLING"),
    )?;
    let deaths_twice = MortalityEvent::create(
        conn,
        &by(Some(operator), "mortality after handling", 10, 1)?,
        mortality(150, "HANDLING"),
    )?;
    MortalityEvent::update(
        conn,
        &by(Some(operator), "recount: 120 dead, not 150", 10, 5)?,
        deaths.id,
        mortality_events::count.eq(120),
    )?;
    BatchContainerAssignment::update(
        conn,
        &by(Some(operator), "population after mortality", 10, 10)?,
        in_a1.id,
        (
            batch_container_assignments::population_count.eq(49_880),
            batch_container_assignments::biomass_kg.eq(12.47),
        ),
    )?;
    Batch::update(
        conn,
        &by(Some(operator), "mortality noted on the batch", 10, 12)?,
        batch.id,
        batches::notes.eq("120 lost to handling stress in A1"),
    )?;
    let record = |count: i32, reason: &str| {
        (
            mortality_records::batch_id.eq(batch.id),
            mortality_records::container_id.eq(Some(tray_a1.id)),
            mortality_records::event_date.eq(date),
            mortality_records::count.eq(count),
            mortality_records::reason.eq(reason.to_owned()),
        )
    };
    let necropsy = MortalityRecord::create(
        conn,
        &by(Some(vet), "necropsy of the dead fry", 10, 15)?,
        record(120, "undetermined"),
    )?;
    let necropsy_twice = MortalityRecord::create(
        conn,
        &by(Some(vet), "necropsy of the dead fry", 10, 16)?,
        record(120, "undetermined"),
    )?;
    MortalityRecord::update(
        conn,
        &by(Some(vet), "necropsy result", 10, 45)?,
        necropsy.id,
        mortality_records::reason.eq("gill damage after handling"),
    )?;

    // 11:00 — a treatment.
    let treatment = |kind: &str, dosage: &str| {
        (
            treatments::batch_id.eq(batch.id),
            treatments::container_id.eq(Some(tray_a1.id)),
            treatments::prescribed_by.eq(vet),
            treatments::treatment_date.eq(date),
            treatments::treatment_type.eq(kind.to_owned()),
            treatments::description.eq("bath against gill irritation"),
            treatments::dosage.eq(Some(dosage.to_owned())),
            treatments::duration_days.eq(3),
            treatments::withholding_period_days.eq(0),
        )
    };
    let bath = Treatment::create(
        conn,
        &by(Some(vet), "treatment prescribed", 11, 0)?,
        treatment("BATH", "1200 ppm H2O2"),
    )?;
    let planned = Treatment::create(
        conn,
        &by(Some(vet), "treatment prescribed", 11, 1)?,
        treatment("MEDICATED_FEED", "10 mg/kg"),
    )?;
    Treatment::update(
        conn,
        &by(Some(vet), "dosage lowered for fry", 11, 10)?,
        bath.id,
        treatments::dosage.eq("900 ppm H2O2"),
    )?;
    HealthLabSample::update(
        conn,
        &by(Some(vet), "lab results received", 11, 30)?,
        swab.id,
        health_lab_samples::findings.eq("no pathogens found"),
    )?;
    JournalEntry::update(
        conn,
        &by(Some(vet), "gills recovering after bath", 11, 40)?,
        gills.id,
        journal_entries::resolved.eq(true),
    )?;

    // 12:00 — a transfer from tray A2 to pen 7: one business action over two models, one
    // transaction and one changeset. The id is explicit, as an HTTP request's would be, so that
    // the writes group on every backend (PostgreSQL would group one transaction's by itself).
    let transfer_changeset = uuid::Uuid::now_v7();
    let in_transfer = |reason: &str, m| {
        by(Some(operator), reason, 12, m).map(|ctx| ctx.with_changeset(transfer_changeset))
    };
    let moved_twice = conn.transaction(|conn| -> Result<_, AuditError> {
        let in_pen = BatchContainerAssignment::create(
            conn,
            &in_transfer("transfer to sea pen 7", 0)?,
            assign(pen_7.id, 29_900, 7.6),
        )?;
        let transfer = |count: i32| {
            (
                batch_transfers::source_batch_id.eq(batch.id),
                batch_transfers::destination_batch_id.eq(Some(batch.id)),
                batch_transfers::source_assignment_id.eq(in_a2.id),
                batch_transfers::destination_assignment_id.eq(Some(in_pen.id)),
                batch_transfers::transfer_type.eq("CONTAINER"),
                batch_transfers::transferred_count.eq(count),
                batch_transfers::transferred_biomass_kg.eq(7.6),
                batch_transfers::transfer_date.eq(date),
                batch_transfers::notes.eq(None::<String>),
            )
        };
        let moved = BatchTransfer::create(
            conn,
            &in_transfer("transfer to sea pen 7", 1)?,
            transfer(30_000),
        )?;
        let moved_twice = BatchTransfer::create(
            conn,
            &in_transfer("transfer to sea pen 7", 2)?,
            transfer(30_000),
        )?;
        BatchTransfer::update(
            conn,
            &in_transfer("100 fish stayed behind", 10)?,
            moved.id,
            batch_transfers::transferred_count.eq(29_900),
        )?;
        BatchContainerAssignment::update(
            conn,
            &in_transfer("tray A2 emptied", 15)?,
            in_a2.id,
            (
                batch_container_assignments::population_count.eq(0),
                batch_container_assignments::biomass_kg.eq(0.0),
                batch_container_assignments::is_active.eq(false),
            ),
        )?;
        Ok(moved_twice)
    })?;

    // 13:00 — the batch grows up.
    Batch::update(
        conn,
        &by(Some(operator), "smoltification started", 13, 0)?,
        batch.id,
        (
            batches::lifecycle_stage.eq("parr"),
            batches::status.eq("active"),
        ),
    )?;

    // 14:00 — the admin edits infrastructure; a sensor is removed.
    let edit = |m| by(Some(admin), "infrastructure survey", 14, m);
    Geography::update(
        conn,
        &edit(0)?,
        faroe.id,
        geographies::description.eq("Northern sea and freshwater sites"),
    )?;
    Area::update(
        conn,
        &edit(1)?,
        vestmanna.id,
        areas::max_biomass_kg.eq(450_000.0),
    )?;
    FreshwaterStation::update(
        conn,
        &edit(2)?,
        hatchery.id,
        freshwater_stations::station_type.eq("HATCHERY"),
    )?;
    Hall::update(conn, &edit(3)?, hall_a.id, halls::area_sqm.eq(Some(420.0)))?;
    ContainerType::update(
        conn,
        &edit(4)?,
        pen.id,
        container_types::max_volume_m3.eq(45_000.0),
    )?;
    Container::update(
        conn,
        &edit(5)?,
        pen_7.id,
        containers::max_biomass_kg.eq(700_000.0),
    )?;
    Sensor::update(
        conn,
        &edit(6)?,
        oxygen.id,
        sensors::name.eq(named("O2 A1 (recalibrated)")),
    )?;
    FeedContainer::update(
        conn,
        &edit(7)?,
        silo.id,
        feed_containers::capacity_kg.eq(6_000.0),
    )?;
    Sensor::delete(
        conn,
        &by(Some(admin), "sensor removed: failed calibration", 14, 10)?,
        thermometer.id,
    )?;

    // 15:00 — the veterinarian updates her profile; the admin updates an account.
    UserProfile::update(
        conn,
        &by(Some(vet), "new phone number", 15, 0)?,
        vera,
        (
            user_profiles::phone.eq("+298 55 12 34"),
            user_profiles::language.eq("fo"),
        ),
    )?;
    AuditedUser::update(
        conn,
        &by(Some(admin), "email domain changed", 15, 5)?,
        operator,
        users::email.eq("ola.operator@aquamind.fo"),
    )?;

    // 16:00 — corrections: what was entered twice or by mistake goes, with a reason.
    let fix = |reason: &str, m| by(Some(admin), reason, 16, m);
    FeedingEvent::delete(conn, &fix("duplicate entry", 0)?, twice.id)?;
    GrowthSample::delete(conn, &fix("duplicate entry", 1)?, growth_twice.id)?;
    JournalEntry::delete(conn, &fix("duplicate entry", 2)?, gills_twice.id)?;
    LiceCount::delete(conn, &fix("duplicate entry", 3)?, count_twice.id)?;
    MortalityEvent::delete(conn, &fix("duplicate entry", 4)?, deaths_twice.id)?;
    MortalityRecord::delete(conn, &fix("duplicate entry", 5)?, necropsy_twice.id)?;
    BatchTransfer::delete(conn, &fix("duplicate entry", 6)?, moved_twice.id)?;
    HealthLabSample::delete(conn, &fix("sample lost in transit", 7)?, cancelled_swab.id)?;
    Treatment::delete(conn, &fix("treatment cancelled", 8)?, planned.id)?;
    BatchContainerAssignment::delete(conn, &fix("assigned by mistake", 9)?, wrong_tray.id)?;
    Batch::delete(conn, &fix("created by mistake", 10)?, mistaken_batch.id)?;
    FeedStock::delete(conn, &fix("feed expired", 11)?, old_feed.id)?;
    FeedContainer::delete(conn, &fix("barge sold", 12)?, barge.id)?;
    Container::delete(conn, &fix("decommissioned, never used", 13)?, pen_8.id)?;
    ContainerType::delete(conn, &fix("type not in use", 14)?, unused_kind.id)?;
    Hall::delete(conn, &fix("hall closed", 15)?, hall_b.id)?;
    FreshwaterStation::delete(conn, &fix("station closed", 16)?, old_station.id)?;
    Area::delete(conn, &fix("test data", 17)?, test_area.id)?;
    Geography::delete(conn, &fix("duplicate geography", 18)?, duplicate.id)?;
    UserProfile::delete(conn, &fix("contract ended", 19)?, toms)?;
    AuditedUser::delete(conn, &fix("contract ended", 20)?, contractor)?;

    // All day — sensor and weather data, outside the audit trail: plain Diesel, no history.
    let readings: Vec<NewReading> = (0..24)
        .map(|h| NewReading {
            sensor_id: oxygen.id,
            container_id: tray_a1.id,
            reading_time: naive(date, h, 0),
            parameter: "dissolved_oxygen_mg_l".to_owned(),
            value: 9.0 + f64::from(h % 5) * 0.1,
        })
        .collect();
    let weather: Vec<NewWeather> = (0..24)
        .map(|h| NewWeather {
            area_id: vestmanna.id,
            observed_at: naive(date, h, 0),
            temperature_c: 7.5,
            wind_speed_ms: 11.0,
            precipitation_mm: 0.4,
        })
        .collect();
    conn.log(readings, weather)?;

    Ok(Day {
        tag: tag.to_owned(),
        date,
        admin,
        operator,
        vet,
        batch_id: batch.id,
        mid_morning,
        transfer_changeset,
    })
}
