//! The AquaMind tables (what `diesel print-schema` would write).

diesel::table! {
    geographies (id) {
        id -> Integer,
        name -> Text,
        description -> Nullable<Text>,
    }
}

diesel::table! {
    areas (id) {
        id -> Integer,
        geography_id -> Integer,
        name -> Text,
        latitude -> Double,
        longitude -> Double,
        max_biomass_kg -> Double,
        active -> Bool,
    }
}

diesel::table! {
    freshwater_stations (id) {
        id -> Integer,
        geography_id -> Integer,
        name -> Text,
        station_type -> Text,
        latitude -> Double,
        longitude -> Double,
        active -> Bool,
    }
}

diesel::table! {
    halls (id) {
        id -> Integer,
        freshwater_station_id -> Integer,
        name -> Text,
        area_sqm -> Nullable<Double>,
        active -> Bool,
    }
}

diesel::table! {
    container_types (id) {
        id -> Integer,
        name -> Text,
        category -> Text,
        max_volume_m3 -> Double,
    }
}

diesel::table! {
    containers (id) {
        id -> Integer,
        container_type_id -> Integer,
        hall_id -> Nullable<Integer>,
        area_id -> Nullable<Integer>,
        name -> Text,
        volume_m3 -> Double,
        max_biomass_kg -> Double,
        active -> Bool,
    }
}

diesel::table! {
    sensors (id) {
        id -> Integer,
        container_id -> Integer,
        name -> Text,
        sensor_type -> Text,
        serial_number -> Text,
        active -> Bool,
    }
}

diesel::table! {
    feed_containers (id) {
        id -> Integer,
        hall_id -> Nullable<Integer>,
        area_id -> Nullable<Integer>,
        name -> Text,
        kind -> Text,
        capacity_kg -> Double,
        active -> Bool,
    }
}

diesel::table! {
    batches (id) {
        id -> Integer,
        batch_number -> Text,
        species -> Text,
        lifecycle_stage -> Text,
        status -> Text,
        start_date -> Date,
        expected_end_date -> Nullable<Date>,
        notes -> Nullable<Text>,
    }
}

diesel::table! {
    batch_container_assignments (id) {
        id -> Integer,
        batch_id -> Integer,
        container_id -> Integer,
        population_count -> Integer,
        biomass_kg -> Double,
        assignment_date -> Date,
        is_active -> Bool,
    }
}

diesel::table! {
    batch_transfers (id) {
        id -> Integer,
        source_batch_id -> Integer,
        destination_batch_id -> Nullable<Integer>,
        source_assignment_id -> Integer,
        destination_assignment_id -> Nullable<Integer>,
        transfer_type -> Text,
        transferred_count -> Integer,
        transferred_biomass_kg -> Double,
        transfer_date -> Date,
        notes -> Nullable<Text>,
    }
}

diesel::table! {
    growth_samples (id) {
        id -> Integer,
        assignment_id -> Integer,
        sample_date -> Date,
        sample_size -> Integer,
        avg_weight_g -> Double,
        avg_length_cm -> Nullable<Double>,
    }
}

diesel::table! {
    mortality_events (id) {
        id -> Integer,
        batch_id -> Integer,
        event_date -> Date,
        count -> Integer,
        cause -> Text,
        description -> Nullable<Text>,
    }
}

diesel::table! {
    feed_stocks (id) {
        id -> Integer,
        feed_container_id -> Integer,
        feed_name -> Text,
        current_quantity_kg -> Double,
        reorder_threshold_kg -> Double,
    }
}

diesel::table! {
    feeding_events (id) {
        id -> Integer,
        batch_id -> Integer,
        container_id -> Integer,
        feed_stock_id -> Nullable<Integer>,
        fed_at -> Timestamp,
        amount_kg -> Double,
        method -> Text,
    }
}

diesel::table! {
    journal_entries (id) {
        id -> Integer,
        batch_id -> Integer,
        container_id -> Nullable<Integer>,
        author_id -> Integer,
        entry_date -> Date,
        category -> Text,
        severity -> Text,
        description -> Text,
        resolved -> Bool,
    }
}

diesel::table! {
    health_lab_samples (id) {
        id -> Integer,
        assignment_id -> Integer,
        sample_type -> Text,
        sample_date -> Date,
        lab_reference -> Text,
        findings -> Nullable<Text>,
    }
}

diesel::table! {
    mortality_records (id) {
        id -> Integer,
        batch_id -> Integer,
        container_id -> Nullable<Integer>,
        event_date -> Date,
        count -> Integer,
        reason -> Text,
    }
}

diesel::table! {
    lice_counts (id) {
        id -> Integer,
        batch_id -> Integer,
        container_id -> Nullable<Integer>,
        counted_by -> Integer,
        count_date -> Date,
        fish_sampled -> Integer,
        adult_female_count -> Integer,
        adult_male_count -> Integer,
        juvenile_count -> Integer,
    }
}

diesel::table! {
    treatments (id) {
        id -> Integer,
        batch_id -> Integer,
        container_id -> Nullable<Integer>,
        prescribed_by -> Integer,
        treatment_date -> Date,
        treatment_type -> Text,
        description -> Text,
        dosage -> Nullable<Text>,
        duration_days -> Integer,
        withholding_period_days -> Integer,
    }
}

diesel::table! {
    user_profiles (id) {
        id -> Integer,
        user_id -> Integer,
        full_name -> Text,
        phone -> Nullable<Text>,
        role -> Text,
        geography_id -> Nullable<Integer>,
        language -> Text,
    }
}

// Out of scope of the audit trail: high-frequency sensor and weather data, no history.
diesel::table! {
    environmental_readings (id) {
        id -> Integer,
        sensor_id -> Integer,
        container_id -> Integer,
        reading_time -> Timestamp,
        parameter -> Text,
        value -> Double,
    }
}

diesel::table! {
    weather_data (id) {
        id -> Integer,
        area_id -> Integer,
        observed_at -> Timestamp,
        temperature_c -> Double,
        wind_speed_ms -> Double,
        precipitation_mm -> Double,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    geographies,
    areas,
    freshwater_stations,
    halls,
    container_types,
    containers,
    sensors,
    feed_containers,
    batches,
    batch_container_assignments,
    batch_transfers,
    growth_samples,
    mortality_events,
    feed_stocks,
    feeding_events,
    journal_entries,
    health_lab_samples,
    mortality_records,
    lice_counts,
    treatments,
    user_profiles,
    environmental_readings,
    weather_data,
);
