//! Users: tokens and passwords.

use clientele_store::{Role, StoreError};

use crate::on_both;

#[test]
fn users_get_hashed_tokens_and_passwords() {
    on_both(|store| async move {
        let new = store.add_user("maria", Role::Manager).await.unwrap();
        assert!(new.token.starts_with("clt_") && new.token.len() == 68);
        assert_eq!(store.user_by_token(&new.token).await.unwrap(), new.user);
        assert!(matches!(
            store.user_by_token("clt_wrong").await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            store.add_user("maria", Role::Admin).await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(store.count("users").await.unwrap(), 1);
        store
            .set_password(new.user.id, "correct horse battery")
            .await
            .unwrap();
        assert_eq!(
            store
                .verify_password("maria", "correct horse battery")
                .await
                .unwrap()
                .id,
            new.user.id
        );
        assert!(
            store
                .verify_password("maria", "wrong password!")
                .await
                .is_err()
        );
        assert!(store.set_password(new.user.id, "short").await.is_err());
    });
}
