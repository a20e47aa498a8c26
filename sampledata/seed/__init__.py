"""A synthetic clinic of any size for benchmarks and load tests: `manage.py seed_demo`.

The words and the rules of a clinic day are the sample data's (sampledata.vocab, sampledata.rules,
drawn with their FastRandom); this package adds what a bulk load needs:

    plan      the shape of the clinic: doctors, the days, how many visits each doctor-day holds,
              each patient's sex, birth date and NIK serial; decided before any row is written
    generate  the rows, one chunk (of patients or of days) at a time, as tab-separated text
    load      the text into the database: LOAD DATA (MariaDB), COPY (PostgreSQL), executemany (SQLite)
    run       the whole: staff users, the plan, chunks generated in worker processes while the
              main process loads the previous ones (on MariaDB on two connections at once), the
              indexes built again (on MariaDB two tables at a time, beside the summary tables'
              rebuild), then sequences, ANALYZE and the counts

Ids are explicit, so no row waits for the database to learn its parent's id: a medical record and
a bill share their appointment's id, and an appointment's k-th service line is id*64+k (lab
results id*32+k, payments id*4+k). The ids have gaps; nothing in the app relies on them being dense.
"""
